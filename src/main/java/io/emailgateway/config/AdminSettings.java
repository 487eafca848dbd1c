package io.emailgateway.config;

import java.time.Duration;

/**
 * The {@code admin:} and {@code quarantine:} sections. An empty {@code admin.token} disables the
 * admin API (no {@code /api/v1} routes at all) rather than leaving it open. The API has its own
 * pool of {@code poolSize} connections, each statement bounded by {@code statementTimeout}.
 */
public record AdminSettings(String token, int poolSize, Duration statementTimeout, Quarantine quarantine) {

  /**
   * Requests refused with 401 are kept per source up to {@code maxPerSource} rows for at most
   * {@code retention}. The write path is bounded too: at most {@code writesPerSecond} writes per
   * source (in memory, per gateway process) and {@code maxWritesInFlight} writes waiting for
   * PostgreSQL; bodies over {@code maxBodyBytes} are not kept. Everything past a bound is
   * counted and dropped, so a flood of forged requests never becomes a flood of writes.
   */
  public record Quarantine(boolean enabled, int maxPerSource, Duration retention, int writesPerSecond,
      int maxWritesInFlight, int maxBodyBytes) {}

  public boolean apiEnabled() {
    return token != null && !token.isBlank();
  }

  public static AdminSettings from(ConfigSection root) {
    ConfigSection admin = root.section("admin");
    ConfigSection quarantine = root.section("quarantine");
    Duration retention = positive(quarantine, "retention", Duration.ofDays(7));
    return new AdminSettings(admin.string("token", "").trim(), admin.integer("pool_size", 2, 1, 64),
        positive(admin, "statement_timeout", Duration.ofSeconds(30)), new Quarantine(
        quarantine.bool("enabled", true),
        quarantine.integer("max_per_source", 1000, 1, 10_000_000),
        retention,
        quarantine.integer("writes_per_second", 10, 1, 100_000),
        quarantine.integer("max_writes_in_flight", 2, 1, 1024),
        quarantine.integer("max_body_bytes", 1024 * 1024, 0, Integer.MAX_VALUE)));
  }

  private static Duration positive(ConfigSection section, String name, Duration fallback) {
    Duration value = section.duration(name, fallback);
    if (value.isNegative() || value.isZero()) {
      throw ConfigException.invalid(section.key(name), "must be positive");
    }
    return value;
  }
}
