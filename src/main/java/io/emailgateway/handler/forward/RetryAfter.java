package io.emailgateway.handler.forward;

import io.emailgateway.config.RetryPolicy;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The wait before the next attempt: the retry policy's backoff, stretched to a receiver's
 * {@code Retry-After} (delay in seconds) on 429 and 503 — a receiver that says when it can take
 * more gets no earlier retry — but never beyond the policy's {@code retry_max}.
 */
final class RetryAfter {
  private RetryAfter() {}

  /** {@code answer} is null when no answer came. */
  static Duration delay(RetryPolicy policy, int failedAttempts, ForwardVerticle.Answer answer, RandomGenerator random) {
    Duration backoff = policy.delay(failedAttempts, random);
    if (answer == null || (answer.status() != 429 && answer.status() != 503)) {
      return backoff;
    }
    String header = answer.retryAfter();
    try {
      Duration asked = Duration.ofSeconds(Long.parseLong(header == null ? "" : header.trim()));
      return asked.compareTo(backoff) > 0 ? (asked.compareTo(policy.max()) > 0 ? policy.max() : asked) : backoff;
    } catch (NumberFormatException e) {
      return backoff;
    }
  }
}
