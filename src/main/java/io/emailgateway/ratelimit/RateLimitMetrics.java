package io.emailgateway.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meters of the limiter: {@code gateway_ratelimit_rejections_total{scope,source}},
 * {@code gateway_ratelimit_check_seconds{scope}}, {@code gateway_ratelimit_redis_errors_total{scope}},
 * {@code gateway_ratelimit_fail_open_total{scope}}. A Redis outage is logged at most once per
 * interval, so an outage under load does not flood the log. The error and fail-open counters of
 * both scopes exist at zero from the start, so {@code increase()} in an alert sees even the first
 * failure (a counter born at 1 has no earlier sample to compare with).
 */
public final class RateLimitMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitMetrics.class);
  private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(30).toNanos();
  /** The scopes of the request path (RateLimits): per client address, per source. */
  private static final List<String> SCOPES = List.of("ip", "source");

  private final MeterRegistry registry;
  private final boolean failOpen;
  private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

  public RateLimitMetrics(MeterRegistry registry, boolean failOpen) {
    this.registry = registry;
    this.failOpen = failOpen;
    for (String scope : SCOPES) {
      redisErrors(scope);
      failedOpen(scope);
    }
  }

  public void rejected(String scope, String source) {
    Counter.builder("gateway.ratelimit.rejections").description("Requests refused with 429")
        .tags("scope", scope, "source", source).register(registry).increment();
  }

  void checked(String scope, long nanos) {
    Timer.builder("gateway.ratelimit.check").description("One limiter round trip to Redis")
        .tags("scope", scope).publishPercentileHistogram().register(registry).record(Duration.ofNanos(nanos));
  }

  void redisError(String scope, Throwable error) {
    redisErrors(scope).increment();
    if (failOpen) {
      failedOpen(scope).increment();
    }
    long last = lastLogged.get();
    if (System.nanoTime() - last >= LOG_INTERVAL_NANOS && lastLogged.compareAndSet(last, System.nanoTime())) {
      LOG.warn("rate limiter cannot reach Redis ({}); {} (logged once per 30 s)", error.toString(),
          failOpen ? "failing open: requests pass unchecked" : "failing closed: requests get 503");
    }
  }

  private Counter redisErrors(String scope) {
    return Counter.builder("gateway.ratelimit.redis.errors").description("Limiter checks Redis did not answer")
        .tags("scope", scope).register(registry);
  }

  private Counter failedOpen(String scope) {
    return Counter.builder("gateway.ratelimit.fail.open").description("Requests let through unchecked because Redis failed")
        .tags("scope", scope).register(registry);
  }
}
