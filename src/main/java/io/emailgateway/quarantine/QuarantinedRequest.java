package io.emailgateway.quarantine;

import io.emailgateway.provider.WebhookRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a refused request is written to and read back from the quarantine table. Headers and
 * query parameters are kept as {@code [[name, value], …]} (a name may repeat); the headers that
 * carry credentials are replaced by {@link #REDACTED} before anything is written, so the table
 * never holds a password or token even though it holds forged requests' attempts.
 */
public final class QuarantinedRequest {
  public static final String REDACTED = "[redacted]";
  private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization", "cookie");

  private QuarantinedRequest() {}

  public static JsonArray redactedHeaders(MultiMap headers) {
    JsonArray pairs = new JsonArray();
    for (Map.Entry<String, String> header : headers) {
      boolean secret = CREDENTIAL_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT));
      pairs.add(new JsonArray().add(header.getKey()).add(secret ? REDACTED : header.getValue()));
    }
    return pairs;
  }

  public static JsonArray pairs(MultiMap params) {
    JsonArray pairs = new JsonArray();
    params.forEach(entry -> pairs.add(new JsonArray().add(entry.getKey()).add(entry.getValue())));
    return pairs;
  }

  /** The inverse of {@link #redactedHeaders} and {@link #pairs}; header names stay case-insensitive. */
  public static MultiMap multiMap(JsonArray pairs) {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    if (pairs != null) {
      for (int i = 0; i < pairs.size(); i++) {
        JsonArray pair = pairs.getJsonArray(i);
        map.add(pair.getString(0), pair.getString(1));
      }
    }
    return map;
  }

  static long bodySize(WebhookRequest request) {
    return request.body() == null ? 0 : request.body().length();
  }
}
