package io.emailgateway.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * JSON text for jsonb columns. jsonb rejects the escape {@code \u0000}; one event carrying it
 * would fail its whole group commit (and every retry after), so NUL characters are removed from
 * keys and strings — the only change ever made to a stored ESP event.
 */
public final class JsonText {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonText() {}

  /**
   * The ESP's own text of {@code json} when jsonb takes it as it is, else {@link #encode}. Storing
   * the received text saves encoding every event again (a sixth of a Mailgun request's event-loop
   * time). But one event that jsonb refuses would fail its whole group commit, and every retry of
   * it, so the text is scanned once and encoded again from the parsed object when it holds what
   * jsonb refuses and Jackson took: a {@code \u0000} escape, a UTF-16 surrogate escape (jsonb
   * refuses an unpaired one; a paired one is rare enough to go the safe way too), a number whose
   * exponent is past ±{@value #MAX_EXPONENT} (jsonb's numeric ends near 1e131071 and 1e-16383;
   * Jackson already bounds a number to 1,000 characters), or a byte-order mark.
   */
  public static String asReceived(String text, JsonObject json) {
    return text != null && jsonbTakesAsItIs(text) ? text : encode(json);
  }

  static final int MAX_EXPONENT = 1000;

  /** For text Jackson parsed: false when jsonb might refuse it (see {@link #asReceived}). */
  static boolean jsonbTakesAsItIs(String text) {
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      return false;
    }
    boolean inString = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          if (i + 1 < text.length() && text.charAt(i + 1) == 'u' && unicodeEscapeJsonbMayRefuse(text, i)) {
            return false;
          }
          i++; // the escaped character, so that \" does not end the string
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if ((c == 'e' || c == 'E') && exponentTooLarge(text, i + 1)) {
        return false;
      }
    }
    return true;
  }

  private static boolean unicodeEscapeJsonbMayRefuse(String text, int backslash) {
    if (backslash + 6 > text.length()) {
      return true;
    }
    char first = text.charAt(backslash + 2);
    boolean surrogate = (first == 'd' || first == 'D') && "89abcdefABCDEF".indexOf(text.charAt(backslash + 3)) >= 0;
    return surrogate || text.startsWith("0000", backslash + 2);
  }

  /** After an {@code e} outside strings: in a number, its exponent; in {@code true}/{@code false}, no digits follow. */
  private static boolean exponentTooLarge(String text, int from) {
    int i = from;
    if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      i++;
    }
    int value = 0;
    for (; i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9'; i++) {
      value = value * 10 + (text.charAt(i) - '0');
      if (value > MAX_EXPONENT) {
        return true;
      }
    }
    return false;
  }

  public static String encode(Object json) {
    String text = write(json);
    return text.contains("\\u0000") ? write(sanitize(json)) : text;
  }

  /**
   * With Jackson's streaming generator, as Vert.x writes JSON without databind: for the small
   * objects of every event (metadata) databind's serializer lookup cost more than the writing.
   */
  private static String write(Object json) {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      JacksonCodec.encodeJson(json, generator);
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to a string", e);
    }
    return out.toString();
  }

  private static Object sanitize(Object value) {
    if (value instanceof JsonObject object) {
      JsonObject copy = new JsonObject();
      object.forEach(e -> copy.put(EventStore.stripNul(e.getKey()), sanitize(e.getValue())));
      return copy;
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(item -> copy.add(sanitize(item)));
      return copy;
    }
    return value instanceof String text ? EventStore.stripNul(text) : value;
  }
}
