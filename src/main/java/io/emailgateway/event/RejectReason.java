package io.emailgateway.event;

/** Why an ESP rejected or bounced a message (the django-anymail vocabulary). */
public enum RejectReason {
  INVALID, BOUNCED, TIMED_OUT, BLOCKED, SPAM, UNSUBSCRIBED, OTHER;

  // Computed once: wireName() is called for every stored event.
  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  public String wireName() {
    return wireName;
  }
}
