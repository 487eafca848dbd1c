package io.emailgateway.event;

/**
 * Hard or soft, set on {@code bounced} events only: a hard bounce is permanent (the address does
 * not exist), a soft bounce is a failure the ESP has given up on that may succeed later (mailbox
 * full, block). Deferrals are their own type and carry no bounce type.
 */
public enum BounceType {
  HARD, SOFT;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
