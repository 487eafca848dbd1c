package io.emailgateway.event;

/** Why an ESP rejected or bounced a message (the django-anymail vocabulary). */
public enum RejectReason {
  INVALID, BOUNCED, TIMED_OUT, BLOCKED, SPAM, UNSUBSCRIBED, OTHER;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
