package io.emailgateway.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.StringJoiner;

/**
 * Requests rebuilt from one stored ESP event, for {@link WebhookProvider#reparse}: the body the
 * provider's parse reads, received at the fallback time, with no credentials (re-parsing never
 * authenticates: the event was authenticated when it arrived).
 */
final class StoredEventRequests {
  private StoredEventRequests() {}

  static WebhookRequest json(String sourceId, Object body, Instant receivedAt) {
    return request(sourceId, "application/json", body instanceof JsonArray a ? a.toBuffer() : ((JsonObject) body).toBuffer(),
        MultiMap.caseInsensitiveMultiMap(), receivedAt);
  }

  /** A JSON request carrying the stored key as the Standard Webhooks message id header. */
  static WebhookRequest jsonWithWebhookId(String sourceId, JsonObject body, String eventKey, Instant receivedAt) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (eventKey != null) {
      headers.add("webhook-id", eventKey);
    }
    return request(sourceId, "application/json", body.toBuffer(), headers, receivedAt);
  }

  /** A form posted as {@code application/x-www-form-urlencoded}: each field a string, or an array of its repeated values. */
  static WebhookRequest form(String sourceId, JsonObject fields, Instant receivedAt) {
    StringJoiner body = new StringJoiner("&");
    fields.forEach(field -> {
      if (field.getValue() instanceof JsonArray values) {
        values.forEach(value -> body.add(pair(field.getKey(), value)));
      } else {
        body.add(pair(field.getKey(), field.getValue()));
      }
    });
    return request(sourceId, FormFields.URLENCODED, Buffer.buffer(body.toString()), MultiMap.caseInsensitiveMultiMap(), receivedAt);
  }

  static JsonArray arrayOf(JsonObject espEvent) {
    return new JsonArray().add(espEvent);
  }

  private static String pair(String name, Object value) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(value == null ? "" : String.valueOf(value), StandardCharsets.UTF_8);
  }

  private static WebhookRequest request(String sourceId, String contentType, Buffer body, MultiMap headers, Instant receivedAt) {
    return new WebhookRequest(sourceId, contentType, headers, MultiMap.caseInsensitiveMultiMap(), body, null, receivedAt);
  }
}
