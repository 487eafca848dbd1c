package io.emailgateway.http;

import io.emailgateway.config.GatewayConfig;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.metrics.GatewayMetrics;
import io.emailgateway.provider.WebhookException;
import io.emailgateway.provider.WebhookRequest;
import io.emailgateway.store.Addresses;
import io.emailgateway.store.PersistRequest;
import io.emailgateway.store.PersistResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook endpoint, on the event loop (one instance per core): admit, read, authenticate,
 * parse, hand the events to the group commit, and answer 200 only after COMMIT. Every refusal is
 * a {@link WebhookException} turned into a response by {@link IngestFailures}.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  private static final String SOURCE = "gateway.source";

  private final GatewayConfig config;
  private final GatewayMetrics metrics;
  private final DeliveryOptions persistDelivery;
  private Map<String, Sources.Source> sources;
  private HttpServer server;

  public IngestVerticle(GatewayConfig config, GatewayMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    GatewayConfig.PersistSettings persist = config.persist();
    // Longer than the persist verticle's own bounds (queue wait + server-side statement timeout),
    // so the reply, success or 503, normally arrives before this fires.
    long timeout = persist.queueTimeout().plus(persist.writeTimeout()).plusSeconds(5).toMillis();
    this.persistDelivery = new DeliveryOptions().setSendTimeout(timeout);
  }

  @Override
  public Future<?> start() {
    sources = Sources.create(config.sources(), vertx, (source, why) -> { });
    Router router = Router.router(vertx);
    router.route(HttpMethod.HEAD, "/webhooks/:source").handler(this::urlCheck);
    router.get("/webhooks/:source").handler(this::urlCheck);
    router.post("/webhooks/:source").handler(this::ingest);
    router.route().failureHandler(new IngestFailures(metrics));
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.http().host()).setPort(config.http().port())
        .setCompressionSupported(false).setDecompressionSupported(true));
    return server.requestHandler(router).listen();
  }

  /** Stops accepting connections and lets requests in flight finish (their replies come after COMMIT). */
  @Override
  public Future<?> stop() {
    return server.shutdown(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** ESPs check a URL exists before sending to it (Mandrill HEAD, Unisender Go GET). */
  private void urlCheck(RoutingContext ctx) {
    if (sources.containsKey(ctx.pathParam("source"))) {
      ctx.response().setStatusCode(200).end();
    } else {
      ctx.fail(WebhookException.notFound());
    }
  }

  private void ingest(RoutingContext ctx) {
    Sources.Source source = sources.get(ctx.pathParam("source"));
    if (source == null) {
      ctx.fail(WebhookException.notFound());
      return;
    }
    ctx.put(SOURCE, source);
    if (!admit(ctx)) {
      return;
    }
    Instant received = Instant.now();
    String mediaType = mediaType(ctx.request().getHeader("Content-Type"));
    if (!source.provider().acceptsContentType(mediaType)) {
      ctx.fail(WebhookException.unsupportedMediaType(mediaType));
      return;
    }
    BodyReader.read(ctx.request(), config.http().maxBodyBytes())
        .map(body -> new WebhookRequest(source.id(), mediaType, ctx.request().headers(), ctx.queryParams(),
            body, ctx.request().remoteAddress().hostAddress(), received))
        .compose(request -> source.provider().authenticate(request).map(v -> request))
        .map(request -> source.provider().parse(request))
        .compose(events -> persist(events).map(result -> {
          acknowledge(ctx, source, events, result, received);
          return result;
        }))
        .onFailure(ctx::fail);
  }

  /** Bounds the requests held in memory across all instances; past the bound, 503 at once. */
  private boolean admit(RoutingContext ctx) {
    if (metrics.inFlight().incrementAndGet() > config.http().maxInFlight()) {
      metrics.inFlight().decrementAndGet();
      ctx.fail(WebhookException.unavailable("saturated", 1));
      return false;
    }
    ctx.addEndHandler(v -> metrics.inFlight().decrementAndGet());
    return true;
  }

  private Future<PersistResult> persist(List<EmailEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture(new PersistResult(0, 0));
    }
    return vertx.eventBus().<PersistResult>request(Addresses.EVENTS_PERSIST, new PersistRequest(events), persistDelivery)
        .map(reply -> reply.body())
        .recover(error -> {
          LOG.warn("events of a request could not be stored, answering 503: {}", error.getMessage());
          return Future.failedFuture(WebhookException.unavailable("store_unavailable", 5));
        });
  }

  private void acknowledge(RoutingContext ctx, Sources.Source source, List<EmailEvent> events,
      PersistResult result, Instant received) {
    metrics.acknowledged(source.id(), source.providerName(), events, result.duplicates(),
        Duration.between(received, Instant.now()));
    metrics.request(source.id(), source.providerName(), "accepted");
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("accepted", result.accepted()).put("duplicates", result.duplicates()).encode());
  }

  static Sources.Source sourceOf(RoutingContext ctx) {
    return ctx.get(SOURCE);
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }
}
