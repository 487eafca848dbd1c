package io.emailgateway.ratelimit;

import java.time.Duration;

/**
 * The sliding-window counter's arithmetic, the same as {@code sliding_window.lua} runs inside
 * Redis. The estimate of the last {@code window} is the current fixed window's count plus the
 * previous window's count weighted by the share of it the sliding window still covers. Memory
 * is two integers per key whatever the rate, and the error against an exact log is bounded by
 * assuming the previous window's requests were spread evenly.
 */
public record SlidingWindow(long limit, Duration window) {

  public SlidingWindow {
    if (limit < 1 || window.toMillis() < 1) {
      throw new IllegalArgumentException("limit and window must be positive");
    }
  }

  /** The estimated count of the sliding window ending {@code elapsedMs} into the current fixed window. */
  public double estimate(long previous, long current, long elapsedMs) {
    long w = window.toMillis();
    return previous * (double) (w - elapsedMs) / w + current;
  }

  public boolean allows(long previous, long current, long elapsedMs, long cost) {
    return estimate(previous, current, elapsedMs) + cost <= limit;
  }

  /**
   * How long until a request of {@code cost} would be allowed, assuming nothing else arrives:
   * within this window if the previous window's weight decays enough, else in the next one,
   * where today's count becomes the decaying previous count. Never less than one second,
   * since {@code Retry-After} counts whole seconds.
   */
  public Duration retryAfter(long previous, long current, long elapsedMs, long cost) {
    long w = window.toMillis();
    double room = limit - cost - current;
    double waitMs;
    if (room >= 0 && previous > 0) {
      double t = w * (1 - room / previous);
      waitMs = Math.max(0, t - elapsedMs);
    } else if (room >= 0) {
      waitMs = 0;
    } else {
      double roomNext = limit - cost;
      double tNext = roomNext >= current || current == 0 ? 0 : w * (1 - roomNext / current);
      waitMs = (w - elapsedMs) + (roomNext < 0 ? w : tNext);
    }
    return Duration.ofSeconds(Math.max(1, (long) Math.ceil(waitMs / 1000.0)));
  }
}
