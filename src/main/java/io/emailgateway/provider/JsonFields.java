package io.emailgateway.provider;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/** Lenient reads of ESP JSON: ESPs send numbers as strings, strings as arrays, and nulls anywhere. */
public final class JsonFields {
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
      return io.vertx.core.json.Json.decodeValue(body);
    } catch (DecodeException e) {
      throw WebhookException.badRequest("body is not valid JSON");
    }
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
