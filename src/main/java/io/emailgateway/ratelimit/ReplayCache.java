package io.emailgateway.ratelimit;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Remembers the nonce of a request whose events are stored (Mailgun's token, a Standard
 * Webhooks message id), so a replay within the TTL is answered as a duplicate without a
 * database round trip. Only stored requests are remembered: an ESP retry of a request that got
 * 503 must go through. Any Redis failure means "not seen" — PostgreSQL's unique key still
 * deduplicates, so the cache can only save work, never lose or admit an event.
 */
public final class ReplayCache {
  private final Redis redis;
  private final Duration ttl;
  private final Duration timeout;

  public ReplayCache(Redis redis, Duration ttl, Duration timeout) {
    this.redis = redis;
    this.ttl = ttl;
    this.timeout = timeout;
  }

  /** The number of events the earlier request stored, or null if this nonce is not known. */
  public Future<Integer> seen(String source, String nonce) {
    return redis.send(Request.cmd(Command.GET).arg(key(source, nonce)))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .map(reply -> reply == null ? null : reply.toInteger())
        .otherwise(error -> null);
  }

  /** Records a stored request; failures are ignored (see the class comment). */
  public void remember(String source, String nonce, int events) {
    redis.send(Request.cmd(Command.SET).arg(key(source, nonce)).arg(events).arg("PX").arg(ttl.toMillis()));
  }

  /** The Redis key of a nonce; the per-source limiter looks it up too ({@link RedisRateLimiter}). */
  public static String key(String source, String nonce) {
    return "gw:replay:" + source + ":" + nonce;
  }
}
