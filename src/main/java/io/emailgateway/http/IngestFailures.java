package io.emailgateway.http;

import io.emailgateway.metrics.GatewayMetrics;
import io.emailgateway.provider.WebhookException;
import io.vertx.core.Handler;
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
    if (refusal.status() >= 400 && !ctx.request().isEnded() || "draining".equals(refusal.reason())) {
      // The body was not read (refused before it): close after answering instead of draining it.
      ctx.response().putHeader("Connection", "close");
    }
    ctx.response().end(new JsonObject().put("error", refusal.publicMessage()).encode());
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
