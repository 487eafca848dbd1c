package io.emailgateway.http;

import io.emailgateway.provider.WebhookException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.IntPredicate;

/**
 * Collects the raw body bytes, exactly as sent (signatures cover them). Refuses with 413 as soon
 * as the declared or received length passes the limit, with 503 when the shared byte budget
 * ({@code reserve}) is exhausted, so an oversized or excess body is never buffered, and with 408
 * when the body has not arrived by the deadline (a sender trickling bytes to hold the slot).
 */
final class BodyReader {
  private BodyReader() {}

  static Future<Buffer> read(HttpServerRequest request, long limit, IntPredicate reserve, Vertx vertx, long deadlineMillis) {
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
    long timer = vertx.setTimer(Math.max(1, deadlineMillis - System.currentTimeMillis()),
        id -> promise.tryFail(WebhookException.requestTimeout()));
    promise.future().onComplete(done -> vertx.cancelTimer(timer));
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
    // A body the HTTP decoder cannot read (a broken chunk, a connection cut mid-body) is the sender's fault.
    request.exceptionHandler(error -> promise.tryFail(WebhookException.badRequest("request body could not be read")));
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
