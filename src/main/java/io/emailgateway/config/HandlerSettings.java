package io.emailgateway.config;

import java.time.Duration;

/**
 * The {@code handlers:} section (README "Handlers"). Handler verticles claim up to
 * {@code batchRows} outbox rows per transaction, stopping early once {@code maxBatchEvents}
 * events are claimed; a failed event is retried per {@code retry} and then parked as dead.
 * While ingest is more than {@code yieldToIngestAfter} behind (zero: never), a handler verticle
 * puts its next transaction off, but never for longer than {@code pollInterval}.
 */
public record HandlerSettings(
    boolean enabled,
    int instances,
    Duration pollInterval,
    int batchRows,
    int maxBatchEvents,
    Duration statementTimeout,
    RetryPolicy retry,
    Suppression suppression,
    Deliverability deliverability,
    Duration metricsInterval,
    Duration forwardPollInterval,
    Duration yieldToIngestAfter) {

  /**
   * {@code global}: one list for every source (an address that hard-bounced at one ESP is bad at
   * all of them); {@code source}: one list per source. {@code softBounceThreshold} soft bounces
   * within {@code softBounceWindow} (by event time) suppress the address.
   */
  public record Suppression(boolean global, int softBounceThreshold, Duration softBounceWindow) {
    /** The scope column value of a global list. */
    public static final String GLOBAL_SCOPE = "*";
  }

  /** Deliverability gauges cover {@code metricsWindow} for the {@code metricsTopPairs} busiest (domain, source) pairs. */
  public record Deliverability(Duration metricsWindow, int metricsTopPairs) {}

  public static HandlerSettings from(ConfigSection handlers) {
    return new HandlerSettings(
        handlers.bool("enabled", true),
        handlers.integer("instances", 1, 1, 64),
        positive(handlers, "poll_interval", Duration.ofSeconds(1)),
        handlers.integer("batch_rows", 16, 1, 10_000),
        handlers.integer("max_batch_events", 5000, 1, 100_000),
        positive(handlers, "statement_timeout", Duration.ofSeconds(30)),
        RetryPolicy.from(handlers, 5, Duration.ofSeconds(1), Duration.ofMinutes(5)),
        suppression(handlers.section("suppression")),
        new Deliverability(
            handlers.section("deliverability").duration("metrics_window", Duration.ofHours(24)),
            handlers.section("deliverability").integer("metrics_top_pairs", 20, 0, 1000)),
        positive(handlers, "metrics_interval", Duration.ofSeconds(15)),
        positive(handlers.section("forwarding"), "poll_interval", Duration.ofSeconds(1)),
        handlers.duration("yield_to_ingest_after", Duration.ofMillis(20)));
  }

  private static Suppression suppression(ConfigSection section) {
    String scope = section.string("scope", "global");
    if (!scope.equals("global") && !scope.equals("source")) {
      throw ConfigException.invalid(section.key("scope"), "expected global or source, got '" + scope + "'");
    }
    return new Suppression(scope.equals("global"), section.integer("soft_bounce_threshold", 3, 1, 1000),
        positive(section, "soft_bounce_window", Duration.ofDays(7)));
  }

  /** Timers and windows of zero would spin or never match: refuse them at start-up. */
  static Duration positive(ConfigSection section, String name, Duration fallback) {
    Duration value = section.duration(name, fallback);
    if (value.isZero()) {
      throw ConfigException.invalid(section.key(name), "must be above 0");
    }
    return value;
  }
}
