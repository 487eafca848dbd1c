package io.emailgateway.event;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Idempotency keys: content hashes for events whose ESP gives no id, and the bound on every indexed value. */
public final class EventKeys {
  /** UTF-8 bytes of an indexed text column (event_key, recipient, message_id). */
  public static final int MAX_INDEXED_BYTES = 1024;

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

  /**
   * A key short enough for the unique index: longer keys (no ESP sends one; a forger or a broken
   * sender may) become {@code sha256:} + the hex SHA-256 of the key, still the same for every
   * redelivery. A PostgreSQL btree entry holds about 2.7 kB; one value past it fails the insert,
   * and with it the whole group commit of every request batched with it, on every retry.
   */
  public static String indexable(String key) {
    if (key == null || utf8Length(key) <= MAX_INDEXED_BYTES) {
      return key;
    }
    return "sha256:" + HexFormat.of().formatHex(sha256(key.getBytes(StandardCharsets.UTF_8)));
  }

  /** The longest prefix of {@code value} within {@link #MAX_INDEXED_BYTES} (a recipient or message id is looked up, not keyed). */
  public static String truncated(String value) {
    if (value == null || utf8Length(value) <= MAX_INDEXED_BYTES) {
      return value;
    }
    int bytes = 0;
    int end = 0;
    while (end < value.length()) {
      int codePoint = value.codePointAt(end);
      int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > MAX_INDEXED_BYTES) {
        break;
      }
      bytes += size;
      end += Character.charCount(codePoint);
    }
    return value.substring(0, end);
  }

  private static int utf8Length(String value) {
    return value.length() * 3 <= MAX_INDEXED_BYTES ? value.length() : value.getBytes(StandardCharsets.UTF_8).length;
  }

  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
