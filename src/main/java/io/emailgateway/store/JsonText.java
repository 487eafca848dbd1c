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
   * The ESP's own text of {@code json} when jsonb takes it as it is, else {@link #encode}: text
   * with a {@code \u0000} escape, or a UTF-16 surrogate escape (jsonb refuses an unpaired one; a
   * paired one is rare enough to go the safe way too), is encoded again from the parsed object.
   */
  public static String asReceived(String text, JsonObject json) {
    return text != null && !hasEscapeJsonbMayRefuse(text) ? text : encode(json);
  }

  private static boolean hasEscapeJsonbMayRefuse(String text) {
    for (int i = text.indexOf("\\u"); i >= 0; i = text.indexOf("\\u", i + 2)) {
      if (i + 6 > text.length()) {
        return true;
      }
      boolean surrogate = (text.charAt(i + 2) == 'd' || text.charAt(i + 2) == 'D')
          && "89abcdefABCDEF".indexOf(text.charAt(i + 3)) >= 0;
      if (surrogate || text.startsWith("0000", i + 2)) {
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
