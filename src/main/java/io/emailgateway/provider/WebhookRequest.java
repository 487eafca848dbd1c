package io.emailgateway.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;

/**
 * What a provider sees of one request: the headers, the raw body bytes exactly as received
 * (signatures cover these, never a re-serialized body), and when it arrived.
 */
public record WebhookRequest(
    String sourceId,
    String contentType,
    MultiMap headers,
    MultiMap queryParams,
    Buffer body,
    String remoteAddress,
    Instant receivedAt) {

  public String header(String name) {
    return headers.get(name);
  }

  public byte[] bodyBytes() {
    return body.getBytes();
  }
}
