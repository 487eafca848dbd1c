package io.emailgateway.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What a provider sees of one request: the headers, the raw body bytes exactly as received
 * (signatures cover these, never a re-serialized body), and when it arrived. {@link #jsonObject}
 * parses the body once for all the steps that read it (authenticate, replay nonce, parse).
 */
public record WebhookRequest(
    String sourceId,
    String contentType,
    MultiMap headers,
    MultiMap queryParams,
    Buffer body,
    String remoteAddress,
    Instant receivedAt,
    ParsedBody parsed) {

  public WebhookRequest(String sourceId, String contentType, MultiMap headers, MultiMap queryParams, Buffer body,
      String remoteAddress, Instant receivedAt) {
    this(sourceId, contentType, headers, queryParams, body, remoteAddress, receivedAt, new ParsedBody());
  }

  /** The body as one JSON object (400 otherwise), parsed on first use; callers must not modify it. */
  public JsonObject jsonObject() {
    if (parsed.object == null) {
      parsed.object = JsonFields.object(body);
    }
    return parsed.object;
  }

  /** The body as text (UTF-8): for a JSON body that {@link #jsonObject} parsed, the text of that object. */
  public String bodyText() {
    return body.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Holds the parsed body of one request; a request is handled on one event loop, so no locking. */
  public static final class ParsedBody {
    private JsonObject object;
  }

  public String header(String name) {
    return headers.get(name);
  }

  public byte[] bodyBytes() {
    return body.getBytes();
  }
}
