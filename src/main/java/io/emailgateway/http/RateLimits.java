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
    return perIp == null ? Future.succeededFuture() : check("ip", client, source, perIp, 1);
  }

  Future<Void> perSource(Sources.Source source, int events) {
    LimitRule rule = source.rateLimit();
    if (rule == null) {
      return Future.succeededFuture();
    }
    return check("source", source.id(), source, rule, rule.countsEvents() ? Math.max(1, events) : 1);
  }

  /**
   * 429 with Retry-After — or 503 for an ESP that never retries a 4xx (SNS), since a refusal
   * that the ESP drops would lose events.
   */
  private Future<Void> check(String scope, String key, Sources.Source source, LimitRule rule, long cost) {
    return limiter.check(scope, key, rule.window(), cost)
        .recover(error -> Future.failedFuture(WebhookException.unavailable("rate_limiter_unavailable", 1)))
        .compose(verdict -> {
          if (verdict.allowed()) {
            return Future.succeededFuture();
          }
          metrics.rejected(scope, source.id());
          int status = source.provider().retriesClientErrors() ? 429 : 503;
          return Future.failedFuture(new WebhookException(status, "rate limited, retry later", "rate_limited_" + scope)
              .withHeader("Retry-After", Long.toString(verdict.retryAfter().toSeconds())));
        });
  }
}
