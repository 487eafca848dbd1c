package io.emailgateway.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  @Test
  void fractionalEpochSecondsKeepMilliseconds() {
    assertThat(Timestamps.fromEpochSeconds(1534110422.389832)).isEqualTo(Instant.parse("2018-08-12T21:47:02.389Z"));
    assertThat(Timestamps.fromEpochSeconds("1461095250")).isEqualTo(Instant.parse("2016-04-19T19:47:30Z"));
  }

  @Test
  void isoWithOffsetAndSevenFractionalDigitsBecomesUtcMillis() {
    assertThat(Timestamps.fromIso("2016-04-27T16:28:50.3963933-04:00")).isEqualTo(Instant.parse("2016-04-27T20:28:50.396Z"));
  }

  @Test
  void formatIsIsoUtcWithMilliseconds() {
    assertThat(Timestamps.format(Instant.parse("2020-01-02T03:04:05Z"))).isEqualTo("2020-01-02T03:04:05.000Z");
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"1e99999999", "-1e99999999", "99999999999999999999", "1e-99999999x", "Infinity", "NaN", ""})
  void textThatCannotBeAUnixTimeIsRefusedAtOnce(String text) {
    long started = System.nanoTime();
    assertThatThrownBy(() -> Timestamps.fromEpochSeconds(text)).isInstanceOf(DateTimeParseException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(100));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
      "+10000-01-01T00:00:00Z"})
  void isoTimesOutsideYearsOneTo9999AreRefused(String text) {
    assertThatThrownBy(() -> Timestamps.fromIso(text)).isInstanceOf(DateTimeParseException.class);
  }

  @Test
  void theFirstAndLastStorableMillisecondsAreKept() {
    assertThat(Timestamps.fromIso("0001-01-01T00:00:00Z")).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
    assertThat(Timestamps.fromEpochSeconds("253402300799.999")).isEqualTo(Instant.parse("9999-12-31T23:59:59.999Z"));
    assertThatThrownBy(() -> Timestamps.fromEpochSeconds("253402300800")).isInstanceOf(DateTimeParseException.class);
  }
}
