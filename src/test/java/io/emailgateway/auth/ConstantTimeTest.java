package io.emailgateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/**
 * The comparisons of secrets take the same time wherever the presented value first differs.
 * Against a secret of 1 MiB, a comparison that stops at the first differing byte answers a value
 * wrong in its first byte a hundred times and more sooner than one wrong only in its last (the
 * JDK's vectorized {@code String.equals}: about 170 ns against 21 µs on a 2-core VM); the bound
 * here (medians of many interleaved runs less than 3 apart; {@code ConstantTime} measures about
 * 1.0) leaves a busy machine plenty of room and still catches such a comparison, as the same
 * measurement of {@code String.equals} shows.
 */
class ConstantTimeTest {
  private static final int MIB = 1 << 20;
  private static final int ROUNDS = 101;
  private static final double BOUND = 3.0;

  private final String secret = "s".repeat(MIB);
  private final String wrongFirst = "x" + secret.substring(1);
  private final String wrongLast = secret.substring(0, MIB - 1) + "x";

  @Test
  void stringsTakeTheSameTimeWhereverTheyFirstDiffer() {
    assertThat(ratio(ConstantTime::equals, secret, wrongFirst, wrongLast)).as("median time, last vs first byte wrong")
        .isLessThan(BOUND);
  }

  @Test
  void bytesTakeTheSameTimeWhereverTheyFirstDiffer() {
    byte[] expected = secret.getBytes(StandardCharsets.UTF_8);
    byte[] first = wrongFirst.getBytes(StandardCharsets.UTF_8);
    byte[] last = wrongLast.getBytes(StandardCharsets.UTF_8);
    assertThat(ratio(ConstantTime::equals, expected, first, last)).as("median time, last vs first byte wrong").isLessThan(BOUND);
    assertThat(ratio((a, b) -> ConstantTime.equalsAny(List.of(a), b), expected, first, last)).isLessThan(BOUND);
  }

  /** The measurement can fail: an early-exit comparison is far outside the bound. */
  @Test
  void theSameMeasurementCatchesAnEarlyExitComparison() {
    assertThat(ratio(String::equals, secret, wrongFirst, wrongLast)).as("String.equals, last vs first byte wrong")
        .isGreaterThan(10 * BOUND);
  }

  @Test
  void equalValuesAreEqualAndNullsNever() {
    assertThat(ConstantTime.equals(secret, new String(secret.toCharArray()))).isTrue();
    assertThat(ConstantTime.equals(secret, wrongLast)).isFalse();
    assertThat(ConstantTime.equals(secret, secret + "s")).isFalse();
    assertThat(ConstantTime.equals((String) null, null)).isFalse();
    assertThat(ConstantTime.equals(new byte[0], null)).isFalse();
  }

  /**
   * Median time of comparisons with the value wrong in its last byte over the median with it
   * wrong in its first (or the inverse, whichever is larger), the two interleaved in alternating
   * order after a warm-up, so drift and interference hit both alike.
   */
  private static <T> double ratio(BiPredicate<T, T> equals, T expected, T wrongFirst, T wrongLast) {
    boolean sink = false;
    for (int i = 0; i < 30; i++) {
      sink ^= equals.test(expected, wrongFirst) ^ equals.test(expected, wrongLast);
    }
    long[] first = new long[ROUNDS];
    long[] last = new long[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      for (int turn = 0; turn < 2; turn++) {
        boolean firstNow = (turn == 0) == (i % 2 == 0);
        long started = System.nanoTime();
        sink ^= equals.test(expected, firstNow ? wrongFirst : wrongLast);
        long took = System.nanoTime() - started;
        (firstNow ? first : last)[i] = took;
      }
    }
    assertThat(sink).as("no comparison of unequal values succeeded").isFalse();
    double a = median(first);
    double b = median(last);
    double ratio = Math.max(a, b) / Math.max(1, Math.min(a, b));
    System.out.printf("ConstantTimeTest: median %.0f ns with the first byte wrong, %.0f ns with the last: ratio %.2f%n", a, b, ratio);
    return ratio;
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
