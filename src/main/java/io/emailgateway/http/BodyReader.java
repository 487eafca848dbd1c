package io.emailgateway.http;

import io.emailgateway.provider.WebhookException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.IntPredicate;

/**
 * Collects the raw body bytes, exactly as sent (signatures cover them). Refuses with 413 as soon
 * as the declared or received length passes the limit, and with 503 when the shared byte budget
 * ({@code reserve}) is exhausted, so an oversized or excess body is never buffered.
 */
final class BodyReader {
  private BodyReader() {}

  static Future<Buffer> read(HttpServerRequest request, long limit, IntPredicate reserve) {
    long declared = parseLength(request.getHeader("Content-Length"));
    if (declared > limit) {
      return Future.failedFuture(WebhookException.tooLarge(limit));
    }
    if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
      // The sender holds the body back until told to go on (RFC 9110 §10.1.1): without this a
      // client that waits for it stalls (curl 1 s) or hangs. A refusal before here is the final answer.
      request.response().writeContinue();
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer((int) Math.max(256, declared));
    request.handler(chunk -> {
      if (promise.future().isComplete()) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        promise.tryFail(WebhookException.tooLarge(limit));
      } else if (!reserve.test(chunk.length())) {
        promise.tryFail(WebhookException.unavailable("max_in_flight_bytes", 1));
      } else {
        body.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(promise::tryFail);
    request.endHandler(v -> promise.tryComplete(body));
    request.resume();
    return promise.future();
  }

  private static long parseLength(String value) {
    try {
      return value == null ? 0 : Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
