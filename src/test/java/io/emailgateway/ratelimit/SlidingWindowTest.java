package io.emailgateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {
  private final SlidingWindow window = new SlidingWindow(100, Duration.ofSeconds(60));

  @Test
  void previousWindowCountsFullyAtTheStartOfTheCurrentWindowAndNotAtItsEnd() {
    assertThat(window.estimate(80, 10, 0)).isEqualTo(90.0);
    assertThat(window.estimate(80, 10, 30_000)).isEqualTo(50.0);
    assertThat(window.estimate(80, 10, 60_000)).isEqualTo(10.0);
  }

  @Test
  void theLimitItselfIsAllowedAndOneMoreIsNot() {
    assertThat(window.allows(0, 99, 10_000, 1)).isTrue();
    assertThat(window.allows(0, 100, 10_000, 1)).isFalse();
  }

  @Test
  void eventCostCountsAsAWhole() {
    assertThat(window.allows(0, 50, 0, 50)).isTrue();
    assertThat(window.allows(0, 50, 0, 51)).isFalse();
  }

  @Test
  void retryAfterWaitsForThePreviousWindowToDecayEnough() {
    // estimate at 30 s: 100*0.5 + 50 = 100 → full; one more fits once 100*(60-t)/60 <= 49, t >= 30.6 s
    assertThat(window.retryAfter(100, 50, 30_000, 1)).isEqualTo(Duration.ofSeconds(1));
    // at 0 s: needs t >= 30.6 s
    assertThat(window.retryAfter(100, 50, 0, 1)).isEqualTo(Duration.ofSeconds(31));
  }

  @Test
  void retryAfterWhenTheCurrentWindowAloneIsFullWaitsIntoTheNextWindow() {
    // current 100 at 20 s: 40 s to the next window, then 100*(60-t)/60 <= 99 → t >= 0.6 s
    assertThat(window.retryAfter(0, 100, 20_000, 1)).isEqualTo(Duration.ofSeconds(41));
  }

  @Property
  void afterRetryAfterTheSameRequestWouldBeAllowed(@ForAll @LongRange(min = 0, max = 100) long previous,
      @ForAll @LongRange(min = 0, max = 100) long current, @ForAll @LongRange(min = 0, max = 59_999) long elapsed,
      @ForAll @LongRange(min = 1, max = 10) long cost) {
    if (window.allows(previous, current, elapsed, cost)) {
      return;
    }
    long later = elapsed + window.retryAfter(previous, current, elapsed, cost).toMillis();
    boolean allowed = later < 60_000 ? window.allows(previous, current, later, cost)
        : window.allows(later < 120_000 ? current : 0, 0, later % 60_000, cost);
    assertThat(allowed).isTrue();
  }
}
