package io.emailgateway;

import io.emailgateway.api.AdminApi;
import io.emailgateway.config.GatewayConfig;
import io.emailgateway.embedded.EmbeddedServices;
import io.emailgateway.handler.HandlersVerticle;
import io.emailgateway.http.IngestVerticle;
import io.emailgateway.http.ManagementVerticle;
import io.emailgateway.http.ReadinessChecks;
import io.emailgateway.http.Sources;
import io.emailgateway.metrics.GatewayMetrics;
import io.emailgateway.quarantine.QuarantineMetrics;
import io.emailgateway.quarantine.QuarantinePruner;
import io.emailgateway.quarantine.QuarantineWriter;
import io.emailgateway.quarantine.Reverifier;
import io.emailgateway.store.DatabaseBootstrap;
import io.emailgateway.store.BoundedConnection;
import io.emailgateway.store.EventStore;
import io.emailgateway.store.LocalCodec;
import io.emailgateway.store.PersistRequest;
import io.emailgateway.store.PersistResult;
import io.emailgateway.store.PersistPressure;
import io.emailgateway.store.PersistVerticle;
import io.emailgateway.ratelimit.RateLimitMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway. {@link #start} is the whole start-up as one chain: embedded services when
 * none are configured → database created → migrations → PG pool and Redis client → persist
 * verticles → handlers on stored events → quarantine pruner → ingest verticles → management
 * listener (with the admin API when {@code admin.token} is set). Any failed step fails the start.
 */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final EmbeddedServices embedded = new EmbeddedServices();
  private volatile boolean draining;
  private GatewayConfig config;
  private Pool pool;
  private Pool adminPool;
  private PgConnectOptions postgresOptions;
  private Redis redis;
  private String persistDeployment;
  private String handlersDeployment;
  private String prunerDeployment;
  private String ingestDeployment;
  private String managementDeployment;
  private BoundedConnection readinessConnection;

  private Gateway(Vertx vertx) {
    this.vertx = vertx;
  }

  public static Future<Gateway> start(Vertx vertx, PrometheusMeterRegistry registry, GatewayConfig config, Path dataDir) {
    Gateway gateway = new Gateway(vertx);
    GatewayMetrics metrics = new GatewayMetrics(registry);
    return gateway.resolveServices(config, dataDir)
        .compose(gateway::prepareDatabase)
        .compose(schemaVersion -> gateway.connect().map(schemaVersion))
        .compose(schemaVersion -> gateway.deploy(metrics, registry, schemaVersion))
        .map(gateway)
        .recover(error -> gateway.stop().transform(ignored -> Future.failedFuture(error)));
  }

  public GatewayConfig config() {
    return config;
  }

  private Future<GatewayConfig> resolveServices(GatewayConfig configured, Path dataDir) {
    Sources.create(configured.sources(), vertx, (source, why) ->
        LOG.warn("source {} ({}) is DISABLED, /webhooks/{} answers 404: {}", source.id(), source.provider(), source.id(), why));
    return vertx.executeBlocking(() -> {
      String postgres = configured.embeddedPostgres() ? embedded.startPostgres(dataDir) : configured.postgresUri();
      String redisUri = configured.embeddedRedis() ? embedded.startRedis() : configured.redisUri();
      config = configured.withServices(postgres, redisUri);
      return config;
    });
  }

  private Future<String> prepareDatabase(GatewayConfig resolved) {
    DatabaseBootstrap bootstrap = new DatabaseBootstrap(PgConnectOptions.fromUri(resolved.postgresUri()));
    return vertx.executeBlocking(() -> {
      bootstrap.createDatabaseIfMissing();
      return bootstrap.migrate();
    });
  }

  private Future<Void> connect() {
    PgConnectOptions connect = sessionOptions(config);
    postgresOptions = connect;
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.postgresPoolSize()).setShared(true).setName("gateway-pg")
            .setConnectionTimeout(5).setConnectionTimeoutUnit(TimeUnit.SECONDS))
        .with(new NetClientOptions().setConnectTimeout(5000))
        .connectingTo(poolOptions(connect)).using(vertx).build();
    if (config.admin().apiEnabled()) {
      // Its own small pool, so admin queries and CSV exports never take a connection the ingest
      // path needs; statement_timeout bounds a query with an unindexed filter on a big table.
      adminPool = PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(config.admin().poolSize()).setName("gateway-admin-pg")
              .setConnectionTimeout(5).setConnectionTimeoutUnit(TimeUnit.SECONDS))
          .with(new NetClientOptions().setConnectTimeout(5000))
          .connectingTo(new PgConnectOptions(connect).addProperty("application_name", "email-webhook-gateway-admin")
              .addProperty("statement_timeout", Long.toString(config.admin().statementTimeout().toMillis())))
          .using(vertx).build();
    }
    redis = Redis.createClient(vertx, redisOptions(config));
    vertx.eventBus().registerDefaultCodec(PersistRequest.class, new LocalCodec<>(PersistRequest.class));
    vertx.eventBus().registerDefaultCodec(PersistResult.class, new LocalCodec<>(PersistResult.class));
    return Future.succeededFuture();
  }

  /**
   * What every session of the gateway is opened with (group commits, the shared pool, the admin
   * pool on top of these): the settings its guarantees rest on travel in the startup packet, so
   * no server or role default can weaken them.
   */
  public static PgConnectOptions sessionOptions(GatewayConfig config) {
    return PgConnectOptions.fromUri(config.postgresUri())
        .addProperty("application_name", "email-webhook-gateway")
        // An ack means durable: never let a server default weaken the commit the 200 waits for.
        .addProperty("synchronous_commit", "on")
        // A group commit is one statement: this bounds it on the server, so a slow write fails
        // (503) instead of committing after the caller has given up.
        .addProperty("statement_timeout", Long.toString(config.persist().writeTimeout().toMillis()))
        // A session whose client vanished mid-transaction (a partition: the server never learns the
        // socket is gone) would keep its row locks for hours, and every retry of the same events
        // would wait on them until statement_timeout. Group commits pipeline their statements, so a
        // live one is never idle in its transaction for anywhere near this long.
        .addProperty("idle_in_transaction_session_timeout", Long.toString(config.persist().writeTimeout().toMillis()))
        // Data pages this session writes out of shared_buffers go to disk every 256 kB, not all at
        // the next checkpoint's fsync. PostgreSQL's default (0) leaves them in the kernel's page
        // cache; with small shared_buffers backends write most pages, and the checkpoint's sync
        // then flushed them all at once, stalling every WAL flush — and so every group commit —
        // for 0.8-1.4 s every checkpoint (README "What bounds the targets").
        .addProperty("backend_flush_after", "256kB")
        .setCachePreparedStatements(true);
  }

  /**
   * The shared pool's sessions (handlers, forwarding, quarantine) plan every execution for its own
   * parameters. Its statements select events by {@code id = ANY($1)}; with PostgreSQL's default,
   * a prepared statement switches to a generic plan after five executions, and one made while the
   * table was still empty is a sequential scan — kept for the connection's life unless an ANALYZE
   * invalidates it. With autovacuum off (as on the benchmark's server) the handlers read the whole
   * table per statement and slowed down as it grew (6,612 scans, 230 million rows read, 900 events/s).
   * Planning costs each statement a fraction of a millisecond; the ingest path keeps its cached
   * plan (one insert whose plan does not depend on the table's size), and so do the handlers, whose
   * transactions turn sequential scans off instead (OutboxSql.begin): for single-event ESPs their
   * planning had cost twice their execution.
   */
  public static PgConnectOptions poolOptions(PgConnectOptions connect) {
    return new PgConnectOptions(connect).addProperty("plan_cache_mode", "force_custom_plan");
  }

  /**
   * Each admitted request waits on at most one Redis command at a time (a limit check or the
   * replay lookup) and leaves at most one behind (remembering its nonce), so twice
   * {@code http.max_in_flight} waiters can never overflow the pool's queue. With Vert.x' default
   * of 24, a burst overflowed it and every check past the 24th failed as if Redis were down:
   * fail-open let requests through unchecked, fail-closed answered 503 with Redis healthy.
   */
  private static RedisOptions redisOptions(GatewayConfig config) {
    return redisOptions(config.redisUri(), config.http().maxInFlight());
  }

  public static RedisOptions redisOptions(String uri, int maxInFlight) {
    return new RedisOptions().setConnectionString(uri).setMaxPoolSize(8).setMaxPoolWaiting(2 * maxInFlight + 64);
  }

  private Future<Void> deploy(GatewayMetrics metrics, PrometheusMeterRegistry registry, String schemaVersion) {
    GatewayConfig.HttpSettings http = config.http();
    PersistPressure pressure = new PersistPressure();
    AtomicLong bytesInFlight = new AtomicLong();
    RateLimitMetrics rateLimitMetrics = new RateLimitMetrics(registry, config.protection().failOpen());
    QuarantineMetrics quarantineMetrics = new QuarantineMetrics(registry);
    QuarantineWriter quarantine = new QuarantineWriter(pool, config.admin().quarantine(), quarantineMetrics);
    // Each group-commit store and the readiness checks have a connection of their own, given up
    // when PostgreSQL stops answering (BoundedConnection); the pool is for everything else.
    List<EventStore> stores = IntStream.range(0, config.persist().instances())
        .mapToObj(i -> new EventStore(new BoundedConnection(vertx, postgresOptions), config.persist().writeTimeout()))
        .toList();
    return vertx.deployVerticle(new PersistVerticle(stores, config.persist(), metrics, pressure))
        .compose(id -> {
          persistDeployment = id;
          return config.handlers().enabled()
              ? vertx.deployVerticle(new HandlersVerticle(pool, config.handlers(), config.destinations(), registry,
                  pressure::oldestWait))
              : Future.succeededFuture((String) null);
        })
        .compose(id -> {
          handlersDeployment = id;
          return vertx.deployVerticle(new QuarantinePruner(pool, config.admin().quarantine().retention()));
        })
        .compose(id -> {
          prunerDeployment = id;
          return vertx.deployVerticle(() -> new IngestVerticle(config, metrics, rateLimitMetrics, redisOptions(config), pressure,
                  bytesInFlight, quarantine),
              new DeploymentOptions().setInstances(http.instances()));
        })
        .compose(id -> {
          ingestDeployment = id;
          readinessConnection = new BoundedConnection(vertx, postgresOptions);
          ReadinessChecks readiness = new ReadinessChecks(readinessConnection, redis, schemaVersion);
          return vertx.deployVerticle(new ManagementVerticle(http.host(), http.managementPort(), registry, readiness,
              () -> draining, adminApi(quarantineMetrics)));
        })
        .map(id -> {
          managementDeployment = id;
          LOG.info("gateway ready: webhooks on {}:{}, management on {}:{}", http.host(), http.port(), http.host(),
              http.managementPort());
          return null;
        });
  }

  /** The admin API's router factory, or null (API disabled) when {@code admin.token} is empty. */
  private Function<Vertx, Router> adminApi(QuarantineMetrics quarantineMetrics) {
    if (!config.admin().apiEnabled()) {
      LOG.info("admin.token is empty: the admin API (/api/v1) is disabled");
      return null;
    }
    GatewayConfig.PersistSettings persist = config.persist();
    long persistTimeout = persist.queueTimeout().plus(persist.writeTimeout()).plusSeconds(5).toMillis();
    return v -> AdminApi.router(v, adminPool, new Reverifier(v, adminPool,
        Sources.create(config.sources(), v, (source, why) -> { }), quarantineMetrics, persistTimeout), config.admin().token());
  }

  /**
   * Stops embedded PostgreSQL and Redis now, whatever else is still running: for a shutdown whose
   * drain failed or ran out of time, so that no server process outlives the gateway. Blocking.
   */
  public void stopEmbeddedServices() throws IOException {
    embedded.close();
  }

  /**
   * Clean shutdown: readiness goes down, the ingest listeners stop accepting and finish the
   * requests in flight (whose replies wait for their COMMIT), the persist verticle drains its
   * queue, then pools and embedded services close.
   */
  public Future<Void> stop() {
    draining = true;
    return undeploy(ingestDeployment)
        .compose(v -> undeploy(persistDeployment))
        .compose(v -> undeploy(handlersDeployment))
        .compose(v -> undeploy(prunerDeployment))
        .compose(v -> undeploy(managementDeployment))
        // Closed before an embedded PostgreSQL stops, which would otherwise end it with an error in the log.
        .compose(v -> readinessConnection == null ? Future.succeededFuture() : readinessConnection.close())
        .compose(v -> adminPool == null ? Future.succeededFuture() : adminPool.close())
        .compose(v -> pool == null ? Future.succeededFuture() : pool.close())
        .compose(v -> {
          if (redis != null) {
            redis.close();
          }
          return vertx.executeBlocking(() -> {
            embedded.close();
            return null;
          });
        })
        .mapEmpty();
  }

  private Future<Void> undeploy(String deployment) {
    return deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
  }
}
