package io.emailgateway.provider;

import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * Reads of ESP fields that must never fail a whole batch: a time or a custom-data string that
 * cannot be read yields {@code null} (or the raw text), and the caller decides the fallback.
 */
final class LenientReads {
  /** Outside this range a "time" is garbage (and would not fit the events table). */
  private static final Instant EARLIEST = Instant.EPOCH;
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private LenientReads() {}

  /** Unix seconds (integer or fractional) as a JSON number or a numeric string, else null. */
  static Instant epochSeconds(Object value) {
    String text = numberText(value);
    try {
      return text == null ? null : plausible(Timestamps.fromEpochSeconds(text));
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** Unix milliseconds as a JSON number or a numeric string, else null. */
  static Instant epochMillis(Object value) {
    String text = numberText(value);
    try {
      return text == null ? null : plausible(Timestamps.fromEpochMillis(text));
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static String numberText(Object value) {
    if (value instanceof Number number) {
      return number.toString();
    }
    return value instanceof String text && !text.isBlank() ? text.trim() : null;
  }

  /** ISO-8601 with an offset, else null. */
  static Instant iso(Object value) {
    if (!(value instanceof String text) || text.isBlank()) {
      return null;
    }
    try {
      return plausible(Timestamps.fromIso(text.trim()));
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static Instant plausible(Instant instant) {
    return instant.isBefore(EARLIEST) || instant.isAfter(LATEST) ? null : instant;
  }

  /**
   * Custom data an ESP passes through as one string (Mailjet {@code Payload}, Brevo
   * {@code X-Mailin-custom}): a JSON object string becomes the metadata; any other non-empty
   * text is kept under {@code rawKey} so it stays searchable; an object is taken as it is.
   */
  static JsonObject metadata(Object value, String rawKey) {
    if (value instanceof JsonObject object) {
      return object.copy();
    }
    if (!(value instanceof String text) || text.isBlank()) {
      return new JsonObject();
    }
    // Not a JSON object (or not JSON at all): kept as text.
    return JsonFields.parseOrNull(text) instanceof JsonObject object ? object : new JsonObject().put(rawKey, text);
  }

  /** True for JSON {@code true} and the string "true" (ESPs send both). */
  static boolean isTrue(Object value) {
    return Boolean.TRUE.equals(value) || (value instanceof String text && text.trim().equalsIgnoreCase("true"));
  }

  /** A text field, with blank meaning absent. */
  static String nonBlank(JsonObject object, String key) {
    String text = JsonFields.text(object, key);
    return text == null || text.isBlank() ? null : text;
  }
}
