package io.emailgateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.Gateway;
import io.emailgateway.testing.TestServices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-source limit and the replay lookup in one round trip (the sliding-window script with
 * the replay key as its second key), against the real Redis: a nonce already remembered answers
 * with the earlier request's event count and is not charged; an unknown nonce is charged and
 * limited as any request.
 */
class ReplayWithLimitIT {
  private final Vertx vertx = Vertx.vertx();
  private final SlidingWindow twoPerMinute = new SlidingWindow(2, Duration.ofSeconds(60));
  private final String source = "replay-limit-" + UUID.randomUUID();
  private Redis redis;
  private RedisRateLimiter limiter;
  private ReplayCache replays;

  @BeforeEach
  void connect() {
    redis = Redis.createClient(vertx, Gateway.redisOptions(TestServices.redisUri(), 16));
    limiter = new RedisRateLimiter(redis, Duration.ofSeconds(5), false, new RateLimitMetrics(new SimpleMeterRegistry(), false));
    replays = new ReplayCache(redis, Duration.ofMinutes(1), Duration.ofSeconds(5));
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRememberedNonceIsAReplayAndIsNotCharged() throws Exception {
    await(redis.send(Request.cmd(Command.SET).arg(ReplayCache.key(source, "token-1")).arg(7)));

    for (int replay = 0; replay < 5; replay++) {
      RedisRateLimiter.Verdict verdict = check("token-1");
      assertThat(verdict.allowed()).isTrue();
      assertThat(verdict.replayed()).isEqualTo(7);
    }
    assertThat(check("token-2").replayed()).as("an unknown nonce is a new request").isNull();
    assertThat(check("token-3").allowed()).as("the replays used none of the budget of 2").isTrue();
    assertThat(check("token-4").allowed()).as("the third new request is over the budget").isFalse();
    assertThat(check("token-1").replayed()).as("a replay is answered even over the budget").isEqualTo(7);
  }

  @Test
  void theCacheAndTheLimiterAgreeOnTheKey() throws Exception {
    replays.remember(source, "token-9", 3);
    Integer seen = null;
    for (int attempt = 0; attempt < 50 && seen == null; attempt++) { // remember() does not wait for Redis
      seen = await(replays.seen(source, "token-9"));
      Thread.sleep(seen == null ? 20 : 0);
    }
    assertThat(seen).isEqualTo(3);
    assertThat(check("token-9").replayed()).isEqualTo(3);
  }

  private RedisRateLimiter.Verdict check(String nonce) throws Exception {
    return await(limiter.check("source", source, twoPerMinute, 1, ReplayCache.key(source, nonce)));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
