package io.emailgateway.http;

import io.emailgateway.metrics.GatewayMetrics;
import io.emailgateway.provider.WebhookException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a refused webhook becomes a response. The caller sees the status and a short
 * public message (for 401 only "unauthorized"); the log and the metrics get the reason.
 * Anything that is not a {@link WebhookException} is a bug on our side: 500, which every ESP
 * retries, and the stack trace goes to the log only.
 */
final class IngestFailures implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(IngestFailures.class);

  /** Unread bodies up to this size are read and dropped before a refusal is answered. */
  private static final long DRAIN_BYTES = 64 * 1024;
  private static final long DRAIN_MILLIS = 5_000;
  private static final long LINGER_BYTES = 1024 * 1024;
  private static final long LINGER_MILLIS = 1_000;

  private final GatewayMetrics metrics;

  IngestFailures(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    WebhookException refusal = asRefusal(ctx);
    Sources.Source source = IngestVerticle.sourceOf(ctx);
    if (source != null) {
      record(source, refusal);
    }
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(refusal.status()).putHeader("Content-Type", "application/json");
    refusal.responseHeaders().forEach(ctx.response()::putHeader);
    boolean unread = !ctx.request().isEnded();
    if (unread || "draining".equals(refusal.reason())) {
      // The body was not read (refused before it): close after answering instead of keeping the connection.
      ctx.response().putHeader("Connection", "close");
    }
    String body = new JsonObject().put("error", refusal.publicMessage()).encode();
    // A sender that asked for 100-continue and was refused on its headers never sends the body.
    boolean bodyWithheld = ctx.request().headers().contains("Expect", "100-continue", true);
    if (unread && !bodyWithheld && refusal.status() != 413 && refusal.status() != 408
        && declaredLength(ctx.request()) <= DRAIN_BYTES) {
      drainThenAnswer(ctx, body);
    } else if (unread) {
      // Too much (or too slow) to read: answer, then close; left alone, the connection would wait
      // for a body nobody reads.
      ctx.response().end(body).onComplete(done -> lingerThenClose(ctx));
    } else {
      ctx.response().end(body);
    }
  }

  /**
   * Reads and drops a small unread body before answering. Closing a socket that still holds
   * unread bytes makes the kernel send a reset, which can destroy the answer before the sender
   * reads it: the ESP would see a network error instead of the 503 (or 415, or 429) and could
   * not tell a refusal from a crash. Bounded in size and time; a body that does not come is cut.
   */
  private static void drainThenAnswer(RoutingContext ctx, String body) {
    discardBody(ctx, DRAIN_MILLIS, Long.MAX_VALUE, () -> answerOnce(ctx, body));
  }

  /**
   * After the answer to a body too large (or too slow) to read: drops what the sender is still
   * sending, for at most {@link #LINGER_MILLIS} and {@link #LINGER_BYTES}, then closes — the same
   * reset would otherwise destroy the 413 (SendGridIngestIT saw "no bytes" once).
   */
  private static void lingerThenClose(RoutingContext ctx) {
    discardBody(ctx, LINGER_MILLIS, LINGER_BYTES, () -> ctx.request().connection().close());
  }

  /**
   * Reads and drops the rest of the body, then runs {@code then} once: when the body has ended,
   * failed, passed {@code maxBytes}, or not ended within {@code maxMillis}.
   */
  private static void discardBody(RoutingContext ctx, long maxMillis, long maxBytes, Runnable then) {
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) {
      then.run();
      return;
    }
    boolean[] done = {false};
    long[] dropped = {0};
    long timer = ctx.vertx().setTimer(maxMillis, id -> finish(done, then));
    Runnable stop = () -> {
      ctx.vertx().cancelTimer(timer);
      finish(done, then);
    };
    request.handler(chunk -> {
      dropped[0] += chunk.length();
      if (dropped[0] > maxBytes) {
        stop.run();
      }
    });
    request.exceptionHandler(error -> stop.run());
    request.endHandler(v -> stop.run());
    request.resume();
  }

  private static void finish(boolean[] done, Runnable then) {
    if (!done[0]) {
      done[0] = true;
      then.run();
    }
  }

  private static void answerOnce(RoutingContext ctx, String body) {
    if (!ctx.response().ended() && !ctx.response().closed()) {
      ctx.response().end(body);
    }
  }

  /** The declared Content-Length; unknown (chunked) or unreadable counts as too long to drain. */
  private static long declaredLength(HttpServerRequest request) {
    try {
      String length = request.getHeader("Content-Length");
      return length == null ? Long.MAX_VALUE : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private WebhookException asRefusal(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof WebhookException refusal) {
      return refusal;
    }
    if (failure == null && ctx.statusCode() == 413) {
      return WebhookException.tooLarge(0);
    }
    LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
    return new WebhookException(500, "internal error", "internal_error");
  }

  private void record(Sources.Source source, WebhookException refusal) {
    String outcome = switch (refusal.status()) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 413 -> "too_large";
      case 415 -> "unsupported_media_type";
      case 408 -> "request_timeout";
      case 429 -> "rate_limited";
      case 503 -> refusal.reason().startsWith("rate_limited") ? "rate_limited" : "unavailable";
      default -> "error";
    };
    metrics.request(source.id(), source.providerName(), outcome);
    if (refusal.status() == 401) {
      metrics.authFailure(source.id(), source.providerName(), refusal.reason());
      LOG.warn("source {}: refused unauthenticated request: {}", source.id(), refusal.reason());
    } else if (refusal.status() == 400) {
      LOG.info("source {}: refused malformed request: {}", source.id(), refusal.publicMessage());
    }
  }
}
