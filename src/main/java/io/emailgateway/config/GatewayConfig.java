package io.emailgateway.config;

import io.emailgateway.ratelimit.Cidrs;
import io.emailgateway.ratelimit.LimitRule;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The whole configuration, validated: every key the gateway reads is checked here or by its provider. */
public record GatewayConfig(
    HttpSettings http,
    String postgresUri,
    int postgresPoolSize,
    PersistSettings persist,
    String redisUri,
    String embeddedDataDir,
    Protection protection,
    List<SourceConfig> sources,
    HandlerSettings handlers,
    List<DestinationConfig> destinations,
    AdminSettings admin,
    JsonObject raw) {

  /**
   * The ingest and management listeners. {@code requestTimeout} bounds how long a request may take
   * to arrive — its headers after the connection opened or the previous answer, its body after
   * the headers — so a sender that trickles bytes cannot hold a connection or a slot for ever.
   */
  public record HttpSettings(String host, int port, int managementPort, long maxBodyBytes, int maxInFlight,
      long maxInFlightBytes, int instances, Duration requestTimeout) {
    /**
     * One port for both listeners would not fail: Vert.x shares a port between servers and hands
     * each connection to one of them in turn, so webhooks and {@code /metrics} would each answer
     * 404 on some connections.
     */
    public HttpSettings {
      if (port != 0 && port == managementPort) {
        throw ConfigException.invalid("http.management_port", "must differ from http.port (" + port + ")");
      }
    }
  }

  /**
   * Limits that keep bursts and floods from hurting the gateway: the per-IP limit (null = none),
   * what to do when Redis fails, the proxies trusted to set X-Forwarded-For, the replay cache's
   * TTL, and the persist-queue age past which new requests are shed with 503.
   */
  public record Protection(LimitRule perIp, boolean failOpen, Duration redisTimeout, Cidrs trustedProxies,
      Duration replayTtl, Duration shedAfter) {}

  /**
   * The group commit: at most {@code instances} transactions in flight, each on its own
   * connection, a second one only once {@code parallelMinEvents} events wait; at most
   * {@code maxBatchEvents} events per transaction; a request that
   * waited longer than {@code queueTimeout} for its turn is refused (503) rather than written
   * late; a group commit slower than {@code writeTimeout} is cancelled by PostgreSQL.
   */
  public record PersistSettings(int instances, int parallelMinEvents, int maxBatchEvents, Duration queueTimeout,
      Duration writeTimeout) {}

  public static GatewayConfig from(JsonObject json) {
    ConfigSection root = new ConfigSection(json, "");
    ConfigSection http = root.section("http");
    ConfigSection postgres = root.section("postgres");
    ConfigSection persist = root.section("persist");
    return new GatewayConfig(
        new HttpSettings(
            http.string("host", "0.0.0.0"),
            http.integer("port", 8080, 0, 65535),
            http.integer("management_port", 8081, 0, 65535),
            http.integer("max_body_bytes", 10 * 1024 * 1024, 1024, Integer.MAX_VALUE),
            http.integer("max_in_flight", 512, 1, 1_000_000),
            http.integer("max_in_flight_bytes", 256 * 1024 * 1024, 1024, Integer.MAX_VALUE),
            http.integer("instances", Runtime.getRuntime().availableProcessors(), 1, 256),
            http.duration("request_timeout", Duration.ofSeconds(30))),
        postgres.string("uri", ""),
        postgres.integer("pool_size", 8, 1, 512),
        new PersistSettings(
            persist.integer("instances", 2, 1, 64),
            persist.integer("parallel_min_events", 100, 1, 100_000),
            persist.integer("max_batch_events", 5000, 1, 100_000),
            persist.duration("queue_timeout", Duration.ofSeconds(5)),
            persist.duration("write_timeout", Duration.ofSeconds(10))),
        root.section("redis").string("uri", ""),
        root.section("embedded").string("data_dir", "data"),
        protection(root),
        sources(root),
        HandlerSettings.from(root.section("handlers")),
        DestinationConfig.all(root),
        AdminSettings.from(root),
        json);
  }

  private static Protection protection(ConfigSection root) {
    ConfigSection limits = root.section("rate_limiting");
    return new Protection(
        LimitRule.from(root, "rate_limit_per_ip"),
        limits.bool("fail_open", true),
        limits.duration("redis_timeout", Duration.ofMillis(250)),
        Cidrs.parse(root.section("http").key("trusted_proxies"), root.section("http").strings("trusted_proxies")),
        root.section("replay_cache").duration("ttl", Duration.ofMinutes(10)),
        root.section("persist").duration("shed_after", Duration.ofSeconds(1)));
  }

  private static List<SourceConfig> sources(ConfigSection root) {
    List<SourceConfig> sources = root.sections("sources").stream().map(SourceConfig::from).toList();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < sources.size(); i++) {
      if (!ids.add(sources.get(i).id())) {
        throw ConfigException.invalid("sources[" + i + "].id", "duplicate source id '" + sources.get(i).id() + "'");
      }
    }
    return sources;
  }

  public boolean embeddedPostgres() {
    return postgresUri == null || postgresUri.isBlank();
  }

  public boolean embeddedRedis() {
    return redisUri == null || redisUri.isBlank();
  }

  public GatewayConfig withServices(String postgres, String redis) {
    return new GatewayConfig(http, postgres, postgresPoolSize, persist, redis, embeddedDataDir, protection, sources,
        handlers, destinations, admin, raw);
  }
}
