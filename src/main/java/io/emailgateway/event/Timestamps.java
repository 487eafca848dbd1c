package io.emailgateway.event;

import java.math.BigDecimal;
import java.math.RoundingMode;
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

  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
  /** Digits before the point in milliseconds of year 9999 are 15; more cannot be a time. */
  private static final int MAX_INTEGER_DIGITS = 15;
  private static final int MAX_FRACTION_DIGITS = 30;
  private static final int MAX_NUMBER_TEXT = 64;

  private Timestamps() {}

  /** ISO-8601 UTC with milliseconds, the normalized event's format. */
  public static String format(Instant instant) {
    return WIRE.format(instant);
  }

  /** Unix seconds, integer or fractional (Mailgun sends microseconds), kept exactly to the ms. */
  public static Instant fromEpochSeconds(Number seconds) {
    return fromEpochSeconds(seconds.toString());
  }

  /**
   * Unix seconds given as a string (SparkPost) or a number's text. Throws
   * {@link DateTimeParseException} for anything that is not a time this gateway can store.
   */
  public static Instant fromEpochSeconds(String seconds) {
    return fromEpochMillis(decimal(seconds).movePointRight(3), seconds);
  }

  /** Unix milliseconds given as text; {@link DateTimeParseException} as for {@link #fromEpochSeconds(String)}. */
  public static Instant fromEpochMillis(String millis) {
    return fromEpochMillis(decimal(millis), millis);
  }

  /** ISO-8601 with an offset or Z and any number of fractional digits, within years 1 to 9999. */
  public static Instant fromIso(String text) {
    return inRange(OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS), text);
  }

  /**
   * The text as a number, refused before any arithmetic when it cannot be a time: converting
   * {@code 1e99999999} to an integer builds a hundred-million-digit number, minutes of CPU on an
   * event loop for a 10-byte field. Short text with a bounded exponent keeps every step cheap.
   */
  private static BigDecimal decimal(String text) {
    if (text == null || text.length() > MAX_NUMBER_TEXT) {
      throw new DateTimeParseException("not a unix timestamp", String.valueOf(text), 0);
    }
    try {
      BigDecimal value = new BigDecimal(text.trim());
      if (value.precision() - value.scale() > MAX_INTEGER_DIGITS || value.scale() > MAX_FRACTION_DIGITS) {
        throw new DateTimeParseException("unix timestamp out of range", text, 0);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new DateTimeParseException("not a unix timestamp", text, 0);
    }
  }

  private static Instant fromEpochMillis(BigDecimal millis, String text) {
    return inRange(Instant.ofEpochMilli(millis.setScale(0, RoundingMode.DOWN).longValueExact()), text);
  }

  /** Years 1 to 9999: what timestamptz stores as given (beyond, PostgreSQL silently writes ±infinity). */
  private static Instant inRange(Instant instant, String text) {
    if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
      throw new DateTimeParseException("time outside years 1 to 9999", text, 0);
    }
    return instant;
  }
}
