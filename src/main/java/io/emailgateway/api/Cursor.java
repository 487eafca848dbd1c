package io.emailgateway.api;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque {@code cursor} of keyset pagination: the sort key of the last item of a page,
 * as base64url JSON. The next page starts strictly after it, so pages never overlap and rows
 * stored meanwhile never shift a page (no gaps, no repeats — unlike OFFSET).
 */
final class Cursor {
  private Cursor() {}

  static String encode(Object... key) {
    JsonArray values = new JsonArray();
    for (Object value : key) {
      values.add(value);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(values.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The key in {@code cursor}, or null when there is none; 400 naming {@code cursor} when it is not one of ours. */
  static JsonArray decode(String cursor, int size) {
    if (cursor == null) {
      return null;
    }
    try {
      JsonArray key = new JsonArray(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
      if (key.size() != size) {
        throw ApiException.badParameter("cursor", "not a cursor of this listing");
      }
      return key;
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      throw ApiException.badParameter("cursor", "malformed cursor");
    }
  }
}
