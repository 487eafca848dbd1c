package io.emailgateway.http;

import io.emailgateway.provider.WebhookException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Collects the raw body bytes, exactly as sent (signatures cover them), refusing with 413 as soon
 * as the declared or received length passes the limit, so an oversized body is never buffered.
 */
final class BodyReader {
  private BodyReader() {}

  static Future<Buffer> read(HttpServerRequest request, long limit) {
    String declared = request.getHeader("Content-Length");
    if (declared != null && parseLength(declared) > limit) {
      return Future.failedFuture(WebhookException.tooLarge(limit));
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer(declared == null ? 1024 : (int) Math.max(0, Math.min(parseLength(declared), limit)));
    request.handler(chunk -> {
      if (body.length() + chunk.length() > limit) {
        request.handler(null);
        promise.tryFail(WebhookException.tooLarge(limit));
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(promise::tryFail);
    request.endHandler(v -> promise.tryComplete(body));
    request.resume();
    return promise.future();
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
