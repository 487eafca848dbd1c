package io.emailgateway.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
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
}
