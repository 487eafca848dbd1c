package io.emailgateway.http;

import io.emailgateway.config.GatewayConfig;
import io.emailgateway.metrics.GatewayMetrics;
import io.emailgateway.provider.WebhookException;
import io.emailgateway.store.PersistPressure;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds what the gateway holds in memory, shared by every ingest verticle: requests in flight,
 * body bytes in flight, and shedding while the persist path is behind. Each refusal is an
 * immediate 503 with Retry-After — ESPs retry it, so it costs no event — instead of a timeout later.
 */
final class Admission {
  private final GatewayConfig config;
  private final GatewayMetrics metrics;
  private final PersistPressure pressure;
  private final AtomicLong bytesInFlight;

  Admission(GatewayConfig config, GatewayMetrics metrics, PersistPressure pressure, AtomicLong bytesInFlight) {
    this.config = config;
    this.metrics = metrics;
    this.pressure = pressure;
    this.bytesInFlight = bytesInFlight;
  }

  /** Admits the request or fails the context with 503; an admitted request is released when it ends. */
  boolean admit(RoutingContext ctx, String source) {
    if (pressure.oldestWait().compareTo(config.protection().shedAfter()) > 0) {
      metrics.shed(source, "persist_behind");
      ctx.fail(WebhookException.unavailable("persist_behind", 2));
      return false;
    }
    if (metrics.inFlight().incrementAndGet() > config.http().maxInFlight()) {
      metrics.inFlight().decrementAndGet();
      metrics.shed(source, "max_in_flight");
      ctx.fail(WebhookException.unavailable("max_in_flight", 1));
      return false;
    }
    ctx.addEndHandler(v -> metrics.inFlight().decrementAndGet());
    return true;
  }

  /**
   * Reserves body bytes as they arrive; false (503) when all requests together would hold more
   * than {@code http.max_in_flight_bytes}. Released when the request ends.
   */
  boolean reserve(RoutingContext ctx, String source, int bytes) {
    if (bytesInFlight.addAndGet(bytes) > config.http().maxInFlightBytes()) {
      bytesInFlight.addAndGet(-bytes);
      metrics.shed(source, "max_in_flight_bytes");
      return false;
    }
    ctx.addEndHandler(v -> bytesInFlight.addAndGet(-bytes));
    return true;
  }
}
