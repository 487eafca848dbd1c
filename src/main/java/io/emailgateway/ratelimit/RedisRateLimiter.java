package io.emailgateway.ratelimit;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Global sliding-window limits shared by every gateway instance through Redis: one EVALSHA per
 * check (the script is loaded once and again after a Redis restart answers NOSCRIPT), bounded by
 * a timeout. When Redis fails or is slow, {@code failOpen} lets the request through (counted and
 * logged by the caller) rather than refusing ESP traffic for an outage of an auxiliary store;
 * fail-closed answers 503 instead. Nothing is kept locally, so recovery needs no restart.
 */
public final class RedisRateLimiter {
  static final String SCRIPT = loadScript();
  static final String SCRIPT_SHA = sha1(SCRIPT);

  private final Redis redis;
  private final Duration timeout;
  private final boolean failOpen;
  private final RateLimitMetrics metrics;

  public RedisRateLimiter(Redis redis, Duration timeout, boolean failOpen, RateLimitMetrics metrics) {
    this.redis = redis;
    this.timeout = timeout;
    this.failOpen = failOpen;
    this.metrics = metrics;
  }

  /**
   * The outcome of one check. {@code degraded}: Redis could not answer and the configured policy
   * decided. {@code replayed}: the events an earlier request with the same replay key stored (the
   * request is a replay, allowed and not counted), else null.
   */
  public record Verdict(boolean allowed, Duration retryAfter, boolean degraded, Integer replayed) {
    static final Verdict PASS = new Verdict(true, Duration.ZERO, false, null);
  }

  /**
   * Counts {@code cost} against the limit of {@code scope}/{@code id} if it fits. With a
   * {@code replayKey} ({@link ReplayCache#key}; null for none) it first looks that up, in the same
   * round trip: a request already stored is a replay, answered from the cache and not counted.
   */
  public Future<Verdict> check(String scope, String id, SlidingWindow window, long cost, String replayKey) {
    long started = System.nanoTime();
    String key = "gw:rl:" + scope + ":" + id;
    return evalsha(key, replayKey, window, cost)
        .recover(error -> isNoScript(error) ? loadScriptIntoRedis().compose(v -> evalsha(key, replayKey, window, cost))
            : Future.failedFuture(error))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .map(reply -> verdict(reply, window, cost))
        .onComplete(result -> metrics.checked(scope, System.nanoTime() - started))
        .recover(error -> {
          metrics.redisError(scope, error);
          return failOpen ? Future.succeededFuture(new Verdict(true, Duration.ZERO, true, null)) : Future.failedFuture(error);
        });
  }

  private Future<Response> evalsha(String key, String replayKey, SlidingWindow window, long cost) {
    Request request = Request.cmd(Command.EVALSHA).arg(SCRIPT_SHA);
    request = replayKey == null ? request.arg(1).arg(key) : request.arg(2).arg(key).arg(replayKey);
    return redis.send(request.arg(window.limit()).arg(window.window().toMillis()).arg(cost));
  }

  private Future<Void> loadScriptIntoRedis() {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT)).mapEmpty();
  }

  private static boolean isNoScript(Throwable error) {
    return String.valueOf(error.getMessage()).startsWith("NOSCRIPT");
  }

  private static Verdict verdict(Response reply, SlidingWindow window, long cost) {
    int outcome = reply.get(0).toInteger();
    if (outcome == 2) {
      return new Verdict(true, Duration.ZERO, false, reply.get(1).toInteger());
    }
    if (outcome == 1) {
      return Verdict.PASS;
    }
    long previous = reply.get(1).toLong();
    long current = reply.get(2).toLong();
    long elapsed = reply.get(3).toLong();
    return new Verdict(false, window.retryAfter(previous, current, elapsed, cost), false, null);
  }

  private static String loadScript() {
    try (InputStream in = RedisRateLimiter.class.getResourceAsStream("/ratelimit/sliding_window.lua")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
