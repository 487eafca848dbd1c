package io.emailgateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.Http;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TcpProxy;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.emailgateway.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Redis sliding-window limits against the real Redis, through the real HTTP port. Source
 * ids and client addresses are fresh per run, so runs never share a budget.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RateLimitIT {
  private static final int BUDGET = 5;
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private final SendGridFixtures forger = new SendGridFixtures();
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private TestDatabase db;
  private TcpProxy redisProxy;
  private TestGateway first;
  private TestGateway second;
  private TestGateway failClosed;

  @BeforeAll
  void start() throws Exception {
    db = new TestDatabase(getClass());
    URI redis = URI.create(TestServices.redisUri());
    redisProxy = new TcpProxy(redis.getHost(), redis.getPort());
    JsonObject limited = new JsonObject()
        .put("rate_limit_per_ip", new JsonObject().put("requests", 20).put("window", "60s"))
        .put("http", new JsonObject().put("trusted_proxies", new JsonArray().add("127.0.0.1/32")));
    first = TestGateway.start(db.uri(), sources(), limited);
    second = TestGateway.start(db.uri(), sources(), limited);
    JsonObject viaProxy = limited.copy()
        .put("redis", new JsonObject().put("uri", "redis://127.0.0.1:" + redisProxy.port()));
    failClosed = TestGateway.start(db.uri(), sources(), viaProxy.copy()
        .put("rate_limiting", new JsonObject().put("fail_open", false).put("redis_timeout", "300ms")));
  }

  @AfterAll
  void stop() throws Exception {
    for (TestGateway gateway : List.of(first, second, failClosed)) {
      gateway.close();
    }
    redisProxy.close();
    db.close();
  }

  private JsonArray sources() {
    JsonArray sources = new JsonArray();
    for (String name : List.of("shared", "forged", "flush", "outage", "ip", "events")) {
      JsonObject limit = new JsonObject().put("requests", BUDGET).put("window", "60s");
      if (name.equals("events")) {
        limit.put("requests", 12).put("count", "events");
      }
      sources.add(new JsonObject().put("id", name + "-" + run).put("provider", "sendgrid")
          .put("public_keys", new JsonArray().add(sendgrid.publicKey())).put("rate_limit", limit));
    }
    return sources;
  }

  @Test
  void onePastTheBudgetIsRefusedWith429AndRetryAfterAcrossTwoGatewayInstances() {
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> refused = null;
    for (int i = 0; i <= BUDGET; i++) {
      HttpResponse<String> response = post(i % 2 == 0 ? first : second, "shared", sendgrid, freshIp());
      statuses.add(response.statusCode());
      refused = response;
    }

    assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429);
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 120L);
  }

  @Test
  void forgedRequestsNeverUseTheSourceBudget() {
    for (int i = 0; i < 3 * BUDGET; i++) {
      assertThat(post(first, "forged", forger, freshIp()).statusCode()).isEqualTo(401);
    }
    for (int i = 0; i < BUDGET; i++) {
      assertThat(post(first, "forged", sendgrid, freshIp()).statusCode()).isEqualTo(200);
    }
    assertThat(post(first, "forged", sendgrid, freshIp()).statusCode()).isEqualTo(429);
  }

  @Test
  void perIpLimitRefusesBeforeAuthenticationAndHonoursForwardedForFromTrustedProxies() {
    String ip = freshIp();
    int refused = 0;
    for (int i = 0; i < 21; i++) {
      int status = postForged(first, "ip", ip);
      refused += status == 429 ? 1 : 0;
      assertThat(status).isIn(401, 429);
    }
    assertThat(refused).isEqualTo(1);
    assertThat(postForged(first, "ip", freshIp())).isEqualTo(401);
  }

  @Test
  void eventCountingChargesEachEventOfABatch() {
    assertThat(postBatch(first, "events", 10).statusCode()).isEqualTo(200);
    assertThat(postBatch(first, "events", 3).statusCode()).isEqualTo(429);
    assertThat(postBatch(first, "events", 2).statusCode()).isEqualTo(200);
  }

  @Test
  void limiterKeepsWorkingAfterRedisForgetsTheScript() throws Exception {
    assertThat(post(first, "flush", sendgrid, freshIp()).statusCode()).isEqualTo(200);
    redis(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    for (int i = 1; i < BUDGET; i++) {
      assertThat(post(first, "flush", sendgrid, freshIp()).statusCode()).isEqualTo(200);
    }
    assertThat(post(first, "flush", sendgrid, freshIp()).statusCode()).isEqualTo(429);
  }

  @Test
  void redisOutageFailsClosedWith503ThenRecoversWithoutRestart() {
    assertThat(post(failClosed, "outage", sendgrid, freshIp()).statusCode()).isEqualTo(200);
    redisProxy.cut();
    HttpResponse<String> during = post(failClosed, "outage", sendgrid, freshIp());
    redisProxy.restore();

    assertThat(during.statusCode()).isEqualTo(503);
    assertThat(during.headers().firstValue("Retry-After")).isPresent();
    assertThat(post(failClosed, "outage", sendgrid, freshIp()).statusCode()).isEqualTo(200);
    assertThat(Http.get(failClosed.managementPort(), "/metrics").body())
        .containsPattern("gateway_ratelimit_redis_errors_total\\{[^}]*\\} [1-9]");
  }

  @Test
  void redisOutageFailsOpenByDefault() throws Exception {
    JsonObject viaProxy = new JsonObject().put("redis", new JsonObject().put("uri", "redis://127.0.0.1:" + redisProxy.port()))
        .put("rate_limiting", new JsonObject().put("redis_timeout", "300ms"));
    try (TestGateway open = TestGateway.start(db.uri(), sources(), viaProxy)) {
      redisProxy.cut();
      try {
        assertThat(post(open, "outage", sendgrid, freshIp()).statusCode()).isEqualTo(200);
      } finally {
        redisProxy.restore();
      }
      assertThat(Http.get(open.managementPort(), "/metrics").body())
          .containsPattern("gateway_ratelimit_fail_open_total\\{[^}]*scope=\"source\"[^}]*\\} [1-9]");
    }
  }

  private HttpResponse<String> post(TestGateway gateway, String source, SendGridFixtures signer, String ip) {
    byte[] body = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "r@example.com")));
    Map<String, String> headers = new HashMap<>(signer.signedHeaders(body));
    headers.put("X-Forwarded-For", ip);
    return Http.post(gateway.port(), "/webhooks/" + source + "-" + run, headers, body);
  }

  private int postForged(TestGateway gateway, String source, String ip) {
    return post(gateway, source, forger, ip).statusCode();
  }

  private HttpResponse<String> postBatch(TestGateway gateway, String source, int events) {
    List<String> batch = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      batch.add(SendGridFixtures.event(SendGridFixtures.eventId(), "open", "s@example.com"));
    }
    byte[] body = SendGridFixtures.batch(batch);
    Map<String, String> headers = new HashMap<>(sendgrid.signedHeaders(body));
    headers.put("X-Forwarded-For", freshIp());
    return Http.post(gateway.port(), "/webhooks/" + source + "-" + run, headers, body);
  }

  private static String freshIp() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "198.18." + r.nextInt(256) + "." + r.nextInt(1, 255);
  }

  private static void redis(Request request) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Redis client = Redis.createClient(vertx, TestServices.redisUri());
      client.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      client.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
