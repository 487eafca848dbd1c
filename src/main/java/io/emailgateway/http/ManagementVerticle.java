package io.emailgateway.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The cluster-internal listener: liveness, readiness (PostgreSQL, Redis, schema, not draining),
 * the Prometheus scrape endpoint and, when {@code admin.token} is set, the admin API under
 * {@code /api/v1}.
 */
public final class ManagementVerticle extends VerticleBase {
  private final String host;
  private final int port;
  private final PrometheusMeterRegistry registry;
  private final ReadinessChecks readiness;
  private final BooleanSupplier draining;
  private final Function<Vertx, Router> adminApi;
  private HttpServer server;

  /** {@code adminApi} builds the router mounted at {@code /api/v1}; null when the API is disabled (empty token). */
  public ManagementVerticle(String host, int port, PrometheusMeterRegistry registry, ReadinessChecks readiness,
      BooleanSupplier draining, Function<Vertx, Router> adminApi) {
    this.adminApi = adminApi;
    this.host = host;
    this.port = port;
    this.registry = registry;
    this.readiness = readiness;
    this.draining = draining;
  }

  @Override
  public Future<?> start() {
    HealthChecks ready = HealthChecks.create(vertx)
        .register("postgres", 2000, promise -> readiness.postgres().onComplete(promise))
        .register("redis", 2000, promise -> readiness.redis().onComplete(promise))
        .register("schema", 2000, promise -> readiness.schema().onComplete(promise))
        .register("accepting", promise -> promise.complete(draining.getAsBoolean() ? Status.KO() : Status.OK()));
    HealthChecks live = HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
    Router router = Router.router(vertx);
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    if (adminApi != null) {
      router.route("/api/v1/*").subRouter(adminApi.apply(vertx));
    }
    server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)).requestHandler(router);
    return server.listen(port, host);
  }

  @Override
  public Future<?> stop() {
    return server.close();
  }
}
