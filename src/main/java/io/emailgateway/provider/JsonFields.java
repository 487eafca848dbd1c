package io.emailgateway.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Lenient reads of ESP JSON: ESPs send numbers as strings, strings as arrays, and nulls anywhere. */
public final class JsonFields {
  /** Nesting levels of any JSON a request may carry; deeper is refused with 400. */
  public static final int MAX_DEPTH = 64;

  private JsonFields() {}

  /** The body as one JSON object, or 400 naming what it is instead. */
  public static JsonObject object(Buffer body) {
    Object value = parse(body);
    if (!(value instanceof JsonObject object)) {
      throw WebhookException.badRequest("expected a JSON object");
    }
    return object;
  }

  /** The body as a JSON array, or 400. */
  public static JsonArray array(Buffer body) {
    Object value = parse(body);
    if (!(value instanceof JsonArray array)) {
      throw WebhookException.badRequest("expected a JSON array of events");
    }
    return array;
  }

  public static Object parse(Buffer body) {
    try {
      return requireShallow(io.vertx.core.json.Json.decodeValue(body), "body");
    } catch (DecodeException e) {
      throw WebhookException.badRequest("body is not valid JSON");
    }
  }

  /** JSON text inside a request (a form field, a line, an SNS Message), or 400 naming {@code what}. */
  public static Object parse(String text, String what) {
    try {
      return requireShallow(io.vertx.core.json.Json.decodeValue(text), what);
    } catch (DecodeException e) {
      throw WebhookException.badRequest(what + " is not valid JSON");
    }
  }

  /** JSON text an ESP may or may not have sent as JSON (custom data, tags): the value, or null. */
  public static Object parseOrNull(String text) {
    try {
      return text == null ? null : parse(text, "value");
    } catch (WebhookException e) {
      return null;
    }
  }

  /**
   * ESPs nest a handful of levels; the JSON parser allows 1000, and a document that deep cannot
   * be hashed or stored (encoding it overflows the stack of an event loop). Checked without
   * recursing further than the limit.
   */
  private static Object requireShallow(Object value, String what) {
    if (deeperThan(value, MAX_DEPTH)) {
      throw WebhookException.badRequest(what + " is nested deeper than " + MAX_DEPTH + " levels");
    }
    return value;
  }

  private static boolean deeperThan(Object value, int levels) {
    if (value instanceof JsonObject object) {
      return levels == 0 || object.getMap().values().stream().anyMatch(v -> deeperThan(v, levels - 1));
    }
    if (value instanceof JsonArray array) {
      return levels == 0 || array.getList().stream().anyMatch(v -> deeperThan(v, levels - 1));
    }
    if (value instanceof java.util.Map<?, ?> map) {
      return deeperThan(new JsonObject(castMap(map)), levels);
    }
    if (value instanceof List<?> list) {
      return deeperThan(new JsonArray(new ArrayList<>(list)), levels);
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private static java.util.Map<String, Object> castMap(java.util.Map<?, ?> map) {
    return (java.util.Map<String, Object>) map;
  }

  /** A value as text: strings as they are, numbers and booleans in their JSON form, null/absent as null. */
  public static String text(JsonObject object, String key) {
    Object value = object == null ? null : object.getValue(key);
    if (value == null || value instanceof JsonObject || value instanceof JsonArray) {
      return null;
    }
    return value.toString();
  }

  /** A nested object or null. */
  public static JsonObject object(JsonObject object, String key) {
    Object value = object == null ? null : object.getValue(key);
    return value instanceof JsonObject nested ? nested : null;
  }

  /** A string, or an array of strings, or absent → a list (ESPs send single tags as a plain string). */
  public static List<String> stringOrList(JsonObject object, String key) {
    Object value = object == null ? null : object.getValue(key);
    List<String> result = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(item -> { if (item != null) result.add(item.toString()); });
    } else if (value != null && !(value instanceof JsonObject) && !value.toString().isEmpty()) {
      result.add(value.toString());
    }
    return result;
  }

  /** A JSON object and its text exactly as it appears in the body. */
  public record ObjectText(JsonObject object, String text) {}

  /**
   * The body as an array of objects, each with its own text cut from the body, in one pass of the
   * parser (so the store need not encode the ESP event again). Anything else — not an array, an
   * element that is not an object, malformed JSON — is left to {@link #array} and {@link #objects},
   * so it is refused with exactly their 400s.
   */
  public static List<ObjectText> objectsWithText(Buffer body, String what) {
    List<ObjectText> result = new ArrayList<>();
    try (JsonParser parser = DatabindCodec.createParser((BufferInternal) body)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        return fallback(body, what);
      }
      for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
        if (token != JsonToken.START_OBJECT) {
          return fallback(body, what);
        }
        int start = (int) parser.currentTokenLocation().getByteOffset();
        Object value = DatabindCodec.mapper().readValue(parser, Object.class);
        int end = (int) parser.currentLocation().getByteOffset();
        @SuppressWarnings("unchecked")
        JsonObject object = new JsonObject((Map<String, Object>) value);
        if (deeperThan(object, MAX_DEPTH - 1)) {
          throw WebhookException.badRequest("body is nested deeper than " + MAX_DEPTH + " levels");
        }
        result.add(new ObjectText(object, body.getString(start, end, "UTF-8")));
      }
      return parser.nextToken() == null ? result : fallback(body, what);
    } catch (WebhookException tooDeep) {
      throw tooDeep;
    } catch (IOException | RuntimeException malformed) {
      return fallback(body, what);
    }
  }

  private static List<ObjectText> fallback(Buffer body, String what) {
    return objects(array(body), what).stream().map(object -> new ObjectText(object, null)).toList();
  }

  /** Each element of an array that must hold objects, or 400 naming the position. */
  public static List<JsonObject> objects(JsonArray array, String what) {
    List<JsonObject> result = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject item)) {
        throw WebhookException.badRequest(what + "[" + i + "] is not a JSON object");
      }
      result.add(item);
    }
    return result;
  }
}
