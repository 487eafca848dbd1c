package io.emailgateway.event;

/** The normalized event types (the django-anymail vocabulary, DESIGN.md "Normalized event"). */
public enum EventType {
  QUEUED, SENT, REJECTED, FAILED, BOUNCED, DEFERRED, DELIVERED, AUTORESPONDED,
  OPENED, CLICKED, COMPLAINED, UNSUBSCRIBED, SUBSCRIBED, UNKNOWN;

  // Computed once: wireName() is called for every stored event.
  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  public String wireName() {
    return wireName;
  }

  public static EventType fromWireName(String name) {
    return valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }
}
