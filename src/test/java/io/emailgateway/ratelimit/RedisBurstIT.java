package io.emailgateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.Gateway;
import io.emailgateway.testing.TestServices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A burst of as many limit checks as {@code http.max_in_flight} admits, issued at the same
 * instant on one event loop (so none can be answered before the last is queued), against the
 * real Redis with fail-closed: every check must be answered by Redis. The benchmark found the
 * Redis client's default waiting queue (24) overflowing at 32 connections: those checks failed as
 * if Redis were down — unchecked with fail-open, 503 with fail-closed.
 */
class RedisBurstIT {
  private static final int MAX_IN_FLIGHT = 512;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void asManyChecksAsRequestsInFlightAreAllAnsweredByRedis() throws Exception {
    Redis redis = Redis.createClient(vertx, Gateway.redisOptions(TestServices.redisUri(), MAX_IN_FLIGHT));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RedisRateLimiter limiter = new RedisRateLimiter(redis, Duration.ofSeconds(10), false, new RateLimitMetrics(registry, false));
    SlidingWindow window = new SlidingWindow(1_000_000, Duration.ofSeconds(60));
    String key = "burst-" + UUID.randomUUID();

    Promise<List<RedisRateLimiter.Verdict>> all = Promise.promise();
    vertx.runOnContext(v -> {
      List<Future<RedisRateLimiter.Verdict>> checks = new ArrayList<>();
      for (int i = 0; i < MAX_IN_FLIGHT; i++) {
        checks.add(limiter.check("source", key, window, 1, null));
      }
      Future.join(checks).onComplete(done -> all.complete(checks.stream()
          .map(check -> check.succeeded() ? check.result() : null).toList()));
    });
    List<RedisRateLimiter.Verdict> verdicts = all.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

    assertThat(verdicts).as("checks that failed instead of being answered").doesNotContainNull();
    assertThat(verdicts).allSatisfy(verdict -> assertThat(verdict.degraded()).isFalse());
    assertThat(verdicts).allSatisfy(verdict -> assertThat(verdict.allowed()).isTrue());
    redis.close();
  }
}
