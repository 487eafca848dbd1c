package io.emailgateway.config;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: the n-th retry waits {@code initial * 2^(n-1)}, capped at
 * {@code max}, then scaled by a random factor in [0.5, 1.0) so that many failures at the same
 * moment (a receiver that went down, a database restart) do not retry in lockstep. After
 * {@code maxAttempts} failed attempts the work is dead-lettered instead of retried.
 */
public record RetryPolicy(int maxAttempts, Duration initial, Duration max) {

  public static RetryPolicy from(ConfigSection section, int attempts, Duration initial, Duration max) {
    RetryPolicy policy = new RetryPolicy(section.integer("max_attempts", attempts, 1, 1000),
        section.duration("retry_initial", initial), section.duration("retry_max", max));
    if (policy.initial.isZero() || policy.max.compareTo(policy.initial) < 0) {
      throw ConfigException.invalid(section.key("retry_max"), "must be at least retry_initial, which must be above 0");
    }
    return policy;
  }

  /** True when the attempt that just failed was the last one allowed. */
  public boolean exhausted(int failedAttempts) {
    return failedAttempts >= maxAttempts;
  }

  /** The wait before the next try after {@code failedAttempts} failures (1 = the first failure). */
  public Duration delay(int failedAttempts, RandomGenerator random) {
    int doublings = Math.min(Math.max(failedAttempts, 1) - 1, 40);
    long ceiling = max.toMillis();
    long uncapped = initial.toMillis() << Math.min(doublings, Long.numberOfLeadingZeros(initial.toMillis()) - 1);
    long base = Math.min(ceiling, uncapped);
    return Duration.ofMillis(base / 2 + (long) (random.nextDouble() * (base - base / 2)));
  }
}
