package io.emailgateway.http;

import io.emailgateway.provider.WebhookException;
import io.emailgateway.ratelimit.LimitRule;
import io.emailgateway.ratelimit.RateLimitMetrics;
import io.emailgateway.ratelimit.RedisRateLimiter;
import io.vertx.core.Future;

/**
 * The two limiter scopes of the request path: per client IP before authentication (cheap
 * protection against floods of forged requests), per source after authentication and parsing
 * (so forged traffic never uses up an ESP's budget; optionally counting events). A refusal is
 * 429 with Retry-After; a Redis failure under fail-closed is 503.
 */
final class RateLimits {
  private final RedisRateLimiter limiter;
  private final LimitRule perIp;
  private final RateLimitMetrics metrics;

  RateLimits(RedisRateLimiter limiter, LimitRule perIp, RateLimitMetrics metrics) {
    this.limiter = limiter;
    this.perIp = perIp;
    this.metrics = metrics;
  }

  Future<Void> perIp(String client, Sources.Source source) {
    return perIp == null ? Future.succeededFuture() : check("ip", client, source, perIp, 1, null).mapEmpty();
  }

  /**
   * The source's limit, charged {@code events} if it counts events. With {@code replayKey}
   * ({@link io.emailgateway.ratelimit.ReplayCache#key}), the replay cache is looked up in the same
   * round trip: the future holds the events an earlier request with that key stored (a replay,
   * not charged), else null. Only for a source with a limit ({@link Sources.Source#rateLimit}).
   */
  Future<Integer> perSource(Sources.Source source, int events, String replayKey) {
    LimitRule rule = source.rateLimit();
    return check("source", source.id(), source, rule, rule.countsEvents() ? Math.max(1, events) : 1, replayKey);
  }

  /**
   * 429 with Retry-After — or 503 for an ESP that never retries a 4xx (SNS), since a refusal
   * that the ESP drops would lose events.
   */
  private Future<Integer> check(String scope, String key, Sources.Source source, LimitRule rule, long cost,
      String replayKey) {
    return limiter.check(scope, key, rule.window(), cost, replayKey)
        .recover(error -> Future.failedFuture(WebhookException.unavailable("rate_limiter_unavailable", 1)))
        .compose(verdict -> {
          if (verdict.allowed()) {
            return Future.succeededFuture(verdict.replayed());
          }
          metrics.rejected(scope, source.id());
          int status = source.provider().retriesClientErrors() ? 429 : 503;
          return Future.failedFuture(new WebhookException(status, "rate limited, retry later", "rate_limited_" + scope)
              .withHeader("Retry-After", Long.toString(verdict.retryAfter().toSeconds())));
        });
  }
}
