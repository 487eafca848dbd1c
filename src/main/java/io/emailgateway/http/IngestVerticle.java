package io.emailgateway.http;

import io.emailgateway.config.GatewayConfig;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.metrics.GatewayMetrics;
import io.emailgateway.provider.WebhookException;
import io.emailgateway.provider.WebhookRequest;
import io.emailgateway.quarantine.QuarantineWriter;
import io.emailgateway.ratelimit.ClientAddress;
import io.emailgateway.ratelimit.RateLimitMetrics;
import io.emailgateway.ratelimit.RedisRateLimiter;
import io.emailgateway.ratelimit.ReplayCache;
import io.emailgateway.store.Addresses;
import io.emailgateway.store.PersistPressure;
import io.emailgateway.store.PersistRequest;
import io.emailgateway.store.PersistResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook endpoint, on the event loop (one instance per core). Each request goes through the
 * steps of DESIGN.md in order: source → admission → client address → per-IP limit → content type
 * → body → authentication → parse → replay cache and per-source limit → group commit → 200. Every
 * refusal is a {@link WebhookException} turned into a response by {@link IngestFailures}.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  private static final String SOURCE = "gateway.source";
  private static final long DRAIN_LIMIT_MILLIS = 30_000;

  private final GatewayConfig config;
  private final GatewayMetrics metrics;
  private final RateLimitMetrics rateLimitMetrics;
  private final RedisOptions redisOptions;
  private Redis redis;
  private final Admission admission;
  private final QuarantineWriter quarantine;
  private final DeliveryOptions persistDelivery;
  private Map<String, Sources.Source> sources;
  private RateLimits limits;
  private ReplayCache replays;
  private ClientAddress clientAddress;
  private HttpServer server;
  private boolean draining;
  private int inFlightHere;

  /**
   * {@code redisOptions}: each instance opens its own Redis client in {@link #start}, so its
   * connections live on its event loop. With one client shared by every instance, a command from
   * one event loop went out on a connection of another and its answer came back through a
   * cross-thread hand-off — twice per command, four commands per Mailgun request.
   */
  public IngestVerticle(GatewayConfig config, GatewayMetrics metrics, RateLimitMetrics rateLimitMetrics,
      RedisOptions redisOptions, PersistPressure pressure, AtomicLong bytesInFlight, QuarantineWriter quarantine) {
    this.config = config;
    this.quarantine = quarantine;
    this.metrics = metrics;
    this.rateLimitMetrics = rateLimitMetrics;
    this.redisOptions = redisOptions;
    this.admission = new Admission(config, metrics, pressure, bytesInFlight);
    GatewayConfig.PersistSettings persist = config.persist();
    // Longer than the persist verticle's own bounds (queue wait + server-side statement timeout),
    // so its reply, success or 503, normally arrives before this fires.
    long timeout = persist.queueTimeout().plus(persist.writeTimeout()).plusSeconds(5).toMillis();
    this.persistDelivery = new DeliveryOptions().setSendTimeout(timeout);
  }

  @Override
  public Future<?> start() {
    GatewayConfig.Protection protection = config.protection();
    redis = Redis.createClient(vertx, redisOptions);
    sources = Sources.create(config.sources(), vertx, (source, why) -> { });
    limits = new RateLimits(new RedisRateLimiter(redis, protection.redisTimeout(), protection.failOpen(), rateLimitMetrics),
        protection.perIp(), rateLimitMetrics);
    replays = new ReplayCache(redis, protection.replayTtl(), protection.redisTimeout());
    clientAddress = new ClientAddress(protection.trustedProxies());
    ConnectionDeadlines deadlines = new ConnectionDeadlines(vertx, config.http().requestTimeout().toMillis());
    Router router = Router.router(vertx);
    router.route().handler(deadlines::requestArrived);
    router.route(HttpMethod.HEAD, "/webhooks/:source").handler(this::urlCheck);
    router.get("/webhooks/:source").handler(this::urlCheck);
    router.post("/webhooks/:source").handler(this::ingest);
    router.route().failureHandler(new IngestFailures(metrics));
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.http().host()).setPort(config.http().port()).setDecompressionSupported(true)
        // No h2c upgrade: ESPs post HTTP/1.1 (TLS ends at the ingress); an upgrade attempt just stays on 1.1.
        .setHttp2ClearTextEnabled(false));
    return server.connectionHandler(deadlines::opened).requestHandler(router).listen();
  }

  /**
   * Drains, then closes: new requests get 503 (with {@code Connection: close}) while the requests
   * in flight finish — their replies still wait for COMMIT — then the listener and every idle
   * keep-alive connection close. Bounded by {@link #DRAIN_LIMIT_MILLIS}.
   */
  @Override
  public Future<?> stop() {
    draining = true;
    Promise<Void> drained = Promise.promise();
    awaitIdle(drained, System.currentTimeMillis() + DRAIN_LIMIT_MILLIS);
    return drained.future().compose(v -> server.close()).eventually(() -> redis.close());
  }

  private void awaitIdle(Promise<Void> drained, long deadline) {
    if (inFlightHere == 0 || System.currentTimeMillis() > deadline) {
      drained.complete();
    } else {
      vertx.setTimer(20, id -> awaitIdle(drained, deadline));
    }
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
    // Hold the body in Vert.x' buffer until BodyReader asks for it: the steps before it are async.
    ctx.request().pause();
    Sources.Source source = sources.get(ctx.pathParam("source"));
    if (source == null) {
      ctx.fail(WebhookException.notFound());
      return;
    }
    ctx.put(SOURCE, source);
    if (draining) {
      ctx.fail(WebhookException.unavailable("draining", 1));
      return;
    }
    inFlightHere++;
    ctx.addEndHandler(v -> inFlightHere--);
    if (!admission.admit(ctx, source.id())) {
      return;
    }
    Instant received = Instant.now();
    long bodyDeadline = System.currentTimeMillis() + config.http().requestTimeout().toMillis();
    String client = clientAddress.resolve(ctx.request().remoteAddress().hostAddress(),
        ctx.request().getHeader("X-Forwarded-For"));
    if (!source.allowedCidrs().isEmpty() && !source.allowedCidrs().contains(client)) {
      ctx.fail(WebhookException.unauthorized("address_not_allowed"));
      return;
    }
    String mediaType = mediaType(ctx.request().getHeader("Content-Type"));
    limits.perIp(client, source)
        .compose(v -> source.provider().acceptsContentType(mediaType) ? Future.succeededFuture()
            : Future.failedFuture(WebhookException.unsupportedMediaType(mediaType)))
        .compose(v -> BodyReader.read(ctx.request(), config.http().maxBodyBytes(),
            bytes -> admission.reserve(ctx, source.id(), bytes), vertx, bodyDeadline))
        .map(body -> new WebhookRequest(source.id(), mediaType, ctx.request().headers(), ctx.queryParams(),
            body, client, received))
        .compose(request -> source.provider().authenticate(request).map(v -> request)
            .onFailure(refusal -> quarantine(source, request, refusal)))
        .compose(request -> store(source, request))
        .onSuccess(ack -> acknowledge(ctx, source, ack, received))
        .onFailure(ctx::fail);
  }

  /** A request refused with 401 after its body was read is kept for a later reverify (README "Quarantine"). */
  private void quarantine(Sources.Source source, WebhookRequest request, Throwable refusal) {
    if (refusal instanceof WebhookException webhook && webhook.status() == 401) {
      quarantine.offer(source.providerName(), request, webhook.reason());
    }
  }

  /** Events of one acknowledged request and what the store made of them. */
  private record Ack(List<EmailEvent> events, PersistResult result) {}

  /**
   * Parse → replay cache and per-source limit → group commit → remember the nonce. A source with
   * a limit looks its nonce up in the limiter's round trip (one Redis command, not two); a replay
   * is answered from the cache and not charged.
   */
  private Future<Ack> store(Sources.Source source, WebhookRequest request) {
    String nonce = source.provider().replayNonce(request);
    List<EmailEvent> events = source.provider().parse(request);
    Future<Integer> replayed = source.rateLimit() != null
        ? limits.perSource(source, events.size(), nonce == null ? null : ReplayCache.key(source.id(), nonce))
        : nonce == null ? Future.succeededFuture() : replays.seen(source.id(), nonce);
    return replayed.compose(previous -> {
      if (previous != null) {
        return Future.succeededFuture(new Ack(List.of(), new PersistResult(0, previous)));
      }
      return persist(events, source.provider().parserVersion())
          .map(result -> {
            if (nonce != null) {
              replays.remember(source.id(), nonce, events.size());
            }
            return new Ack(events, result);
          });
    });
  }

  private Future<PersistResult> persist(List<EmailEvent> events, int parserVersion) {
    if (events.isEmpty()) {
      return Future.succeededFuture(new PersistResult(0, 0));
    }
    return vertx.eventBus().<PersistResult>request(Addresses.EVENTS_PERSIST, new PersistRequest(events, parserVersion), persistDelivery)
        .map(reply -> reply.body())
        .recover(error -> {
          LOG.warn("events of a request could not be stored, answering 503: {}", error.getMessage());
          return Future.failedFuture(WebhookException.unavailable("store_unavailable", 5));
        });
  }

  private void acknowledge(RoutingContext ctx, Sources.Source source, Ack ack, Instant received) {
    metrics.acknowledged(source.id(), source.providerName(), ack.events(), ack.result().duplicates(),
        Duration.between(received, Instant.now()));
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("accepted", ack.result().accepted()).put("duplicates", ack.result().duplicates()).encode());
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
