package io.emailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofMinutes(5));

  @Test
  void delaysDoubleFromTheInitialDelayUntilTheCap() {
    Random alwaysTop = new Random() {
      @Override
      public double nextDouble() {
        return 0.999999;
      }
    };
    assertThat(policy.delay(1, alwaysTop)).isBetween(Duration.ofMillis(999), Duration.ofSeconds(1));
    assertThat(policy.delay(2, alwaysTop)).isBetween(Duration.ofMillis(1999), Duration.ofSeconds(2));
    assertThat(policy.delay(5, alwaysTop)).isBetween(Duration.ofMillis(15999), Duration.ofSeconds(16));
    assertThat(policy.delay(40, alwaysTop)).isBetween(Duration.ofMillis(299_999), Duration.ofMinutes(5));
  }

  @Test
  void exhaustedOnlyAtTheLastAllowedAttempt() {
    assertThat(policy.exhausted(4)).isFalse();
    assertThat(policy.exhausted(5)).isTrue();
  }

  @Property
  void jitteredDelayStaysWithinHalfToFullOfTheCappedExponentialDelay(@ForAll @IntRange(min = 1, max = 1000) int attempt,
      @ForAll @LongRange(min = 1, max = 3_600_000) long initialMillis, @ForAll long seed) {
    RetryPolicy any = new RetryPolicy(10, Duration.ofMillis(initialMillis), Duration.ofHours(2));
    long full = Math.min(Duration.ofHours(2).toMillis(), initialMillis * (1L << Math.min(attempt - 1, 30)));

    long delay = any.delay(attempt, new Random(seed)).toMillis();

    assertThat(delay).isBetween(full / 2, full);
  }
}
