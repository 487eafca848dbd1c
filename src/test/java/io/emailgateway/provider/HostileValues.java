package io.emailgateway.provider;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Values an ESP field must survive holding: every JSON type where another is expected, numbers
 * and times at and past every range (including the ones that cost a parser minutes to convert,
 * such as a timestamp of {@code 1e99999999}), characters PostgreSQL cannot store, strings longer
 * than an index entry may be, and nesting deeper than any ESP sends. Named, so a failure says
 * which value broke which field.
 */
public final class HostileValues {
  /** Deeper than any ESP document, shallower than the JSON parser's own limit of 1000. */
  public static final int DEEP = 900;
  /**
   * Stands for {@link #DEEP} nested arrays: a tree that deep cannot even be encoded by the test
   * (that is the point), so the body is encoded with this marker and {@link #expandDeep} swaps
   * the nesting in as text — raw, inside a JSON string (SNS Message), or URL-encoded (forms).
   */
  public static final String DEEP_MARKER = "@@DEEP@@";

  private HostileValues() {}

  public static Map<String, Object> all() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("null", null);
    values.put("true", true);
    values.put("zero", 0);
    values.put("minus one", -1);
    values.put("fraction", 1.5);
    values.put("long min", Long.MIN_VALUE);
    values.put("double max", Double.MAX_VALUE);
    values.put("400-digit integer", new BigInteger("9".repeat(400)));
    values.put("empty string", "");
    values.put("blank string", "   ");
    values.put("NUL", "a\u0000b");
    values.put("lone surrogate", "a\ud800b");
    values.put("exponent string", "1e99999999");
    values.put("negative exponent string", "-1e99999999");
    values.put("tiny exponent string", "1e-99999999");
    values.put("20-digit string", "99999999999999999999");
    values.put("far-future ISO time", "+999999999-12-31T23:59:59Z");
    values.put("far-past ISO time", "-999999999-01-01T00:00:00Z");
    values.put("year zero", "0000-01-01T00:00:00Z");
    values.put("impossible date", "2024-13-45T25:61:61Z");
    values.put("5000-char string", randomText(5000, 1));
    values.put("empty array", new JsonArray());
    values.put("array of null", new JsonArray().addNull());
    values.put("array of arrays", new JsonArray().add(new JsonArray().add(new JsonArray())));
    values.put("empty object", new JsonObject());
    values.put("nested " + DEEP, DEEP_MARKER);
    return values;
  }

  /** Letters and digits that do not compress, so PostgreSQL cannot squeeze them under an index limit. */
  public static String randomText(int length, long seed) {
    Random random = new Random(seed);
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }

  public static JsonObject deepObject(int depth) {
    JsonObject root = new JsonObject();
    JsonObject current = root;
    for (int i = 1; i < depth; i++) {
      JsonObject next = new JsonObject();
      current.put("a", next);
      current = next;
    }
    return root;
  }

  /** The body with every {@link #DEEP_MARKER} value replaced by {@link #DEEP} nested arrays. */
  public static byte[] expandDeep(byte[] body) {
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    if (!text.contains("DEEP")) {
      return body;
    }
    String deep = deepArrayText(DEEP);
    return text.replace("\\\"" + DEEP_MARKER + "\\\"", deep).replace("\"" + DEEP_MARKER + "\"", deep)
        .replace("%22%40%40DEEP%40%40%22", deep).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** {@code depth} nested arrays as text (too deep to build as a tree for some depths). */
  public static String deepArrayText(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }
}
