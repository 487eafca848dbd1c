package io.emailgateway.event;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Idempotency keys for events whose ESP gives no event id. */
public final class EventKeys {
  private EventKeys() {}

  /**
   * {@code sha256:} + hex SHA-256 of the event's canonical JSON (object keys sorted at every
   * level, compact), so the same event serialized with other whitespace or key order by a retry
   * gets the same key.
   */
  public static String contentHash(JsonObject event) {
    String canonical = canonical(event).toString();
    return "sha256:" + HexFormat.of().formatHex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
  }

  static Object canonical(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> sorted = new TreeMap<>();
      object.forEach(entry -> sorted.put(entry.getKey(), canonical(entry.getValue())));
      return new JsonObject(new java.util.LinkedHashMap<>(sorted));
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(item -> copy.add(canonical(item)));
      return copy;
    }
    return value;
  }

  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
