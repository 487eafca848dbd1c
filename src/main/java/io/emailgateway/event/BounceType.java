package io.emailgateway.event;

/**
 * Hard or soft, set on {@code bounced} events only: a hard bounce is permanent (the address does
 * not exist), a soft bounce is a failure the ESP has given up on that may succeed later (mailbox
 * full, block). Deferrals are their own type and carry no bounce type.
 */
public enum BounceType {
  HARD, SOFT;

  // Computed once: wireName() is called for every stored event.
  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  public String wireName() {
    return wireName;
  }
}
