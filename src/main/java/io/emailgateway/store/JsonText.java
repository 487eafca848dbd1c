package io.emailgateway.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * JSON text for jsonb columns. jsonb rejects the escape {@code \u0000}; one event carrying it
 * would fail its whole group commit (and every retry after), so NUL characters are removed from
 * keys and strings — the only change ever made to a stored ESP event.
 */
public final class JsonText {
  private JsonText() {}

  public static String encode(Object json) {
    String text = json instanceof JsonObject o ? o.encode() : ((JsonArray) json).encode();
    return text.contains("\\u0000") ? encodeSanitized(json) : text;
  }

  private static String encodeSanitized(Object json) {
    Object clean = sanitize(json);
    return clean instanceof JsonObject o ? o.encode() : ((JsonArray) clean).encode();
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
