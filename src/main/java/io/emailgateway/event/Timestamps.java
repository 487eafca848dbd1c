package io.emailgateway.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** The time formats ESPs send, all turned into UTC instants at millisecond precision. */
public final class Timestamps {
  private static final DateTimeFormatter WIRE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /** ISO-8601 UTC with milliseconds, the normalized event's format. */
  public static String format(Instant instant) {
    return WIRE.format(instant);
  }

  /** Unix seconds, integer or fractional (Mailgun sends microseconds), kept exactly to the ms. */
  public static Instant fromEpochSeconds(Number seconds) {
    BigDecimal millis = new BigDecimal(seconds.toString()).movePointRight(3);
    return Instant.ofEpochMilli(millis.longValue());
  }

  /** Unix seconds given as a string (SparkPost) or a number. */
  public static Instant fromEpochSeconds(String seconds) {
    try {
      return fromEpochSeconds(new BigDecimal(seconds.trim()));
    } catch (NumberFormatException e) {
      throw new DateTimeParseException("not a unix timestamp", seconds, 0);
    }
  }

  /** ISO-8601 with an offset or Z and any number of fractional digits. */
  public static Instant fromIso(String text) {
    return OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS);
  }
}
