package io.emailgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.ReliabilityReport;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fault 3, Redis outage and restart: two real jars share a redis-server of the test's own, one
 * failing open (the default), one failing closed. The server is killed, and started again empty.
 * While it is down the fail-open gateway accepts (counted in a metric) and the fail-closed one
 * answers 503 with Retry-After and stores nothing; once it is back both recover by themselves,
 * the Lua script is loaded again into the empty server and the limits count exactly again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisOutageIT {
  private static final int BUDGET = 5;
  private static final Duration ANSWER_LIMIT = Duration.ofSeconds(3);
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private final List<EspLoad> loads = new ArrayList<>();
  private TestDatabase db;
  private PrivateRedis redis;
  private GatewayProcess open;
  private GatewayProcess closed;

  @BeforeAll
  void start() {
    Path work = Path.of("target", "reliability-work");
    db = new TestDatabase(getClass());
    redis = PrivateRedis.start(work);
    open = GatewayProcess.configure(work, "redis-fail-open", config(true)).start();
    closed = GatewayProcess.configure(work, "redis-fail-closed", config(false)).start();
  }

  private JsonObject config(boolean failOpen) {
    JsonArray sources = new JsonArray();
    // Gateways sharing a Redis share a source's budget: each gateway is tested on sources of its own.
    for (String gateway : List.of("open", "closed")) {
      for (int cycle = 0; cycle <= Faults.redisOutages(); cycle++) {
        sources.add(new JsonObject().put("id", gateway + "-" + cycle).put("provider", "sendgrid")
            .put("public_keys", new JsonArray().add(sendgrid.publicKey()))
            .put("rate_limit", new JsonObject().put("requests", BUDGET).put("window", "60s")));
      }
    }
    return new JsonObject()
        .put("postgres", new JsonObject().put("uri", db.uri()).put("pool_size", 2))
        .put("redis", new JsonObject().put("uri", redis.uri()))
        .put("rate_limiting", new JsonObject().put("fail_open", failOpen).put("redis_timeout", "300ms"))
        .put("rate_limit_per_ip", new JsonObject().put("requests", 100_000).put("window", "60s"))
        .put("sources", sources);
  }

  @AfterAll
  void stop() {
    open.close();
    closed.close();
    redis.close();
    db.close();
  }

  @Test
  void failOpenAcceptsFailClosedRefusesAndBothCountExactlyAgainOnceRedisIsBack() {
    assertBudgetHolds(open, "open-0");
    assertBudgetHolds(closed, "closed-0");
    int outages = Faults.redisOutages();
    for (int cycle = 1; cycle <= outages; cycle++) {
      redis.kill();
      for (int i = 0; i < 3; i++) {
        assertThat(sendTimed(open, "open-0")).as("fail-open gateway, budget used up, Redis down").isEqualTo(200);
        assertThat(sendTimed(closed, "closed-0")).as("fail-closed gateway, Redis down").isEqualTo(503);
      }
      GatewayProcess.sleep(Faults.outageMillis());
      redis.start();
      awaitRecovery(closed);
      awaitRecovery(open);
      assertBudgetHolds(open, "open-" + cycle);
      assertBudgetHolds(closed, "closed-" + cycle);
    }

    long requests = loads.stream().mapToLong(l -> l.requests.get()).sum();
    long oks = loads.stream().mapToLong(l -> l.oks.get()).sum();
    long verified = 0;
    long losses = 0;
    long duplicates = 0;
    for (EspLoad load : loads) {
      Ledger.Check check = Ledger.check(db::query, load.source(), load,
          loads.stream().filter(other -> other != load).toArray(EspLoad[]::new));
      assertThat(check.clean()).as("%s", check).isTrue();
      assertThat(check.storedUnacked()).as("deliveries refused with 503 or 429 but stored").isZero();
      verified += check.verifiedStored();
      losses += check.losses();
      duplicates += check.duplicateRows();
    }
    System.out.printf("RedisOutageIT: %d outages, %d requests, %d 200s%n", outages, requests, oks);
    ReliabilityReport.record(new ReliabilityReport.Row("Redis killed and restarted empty (2 real jars)", outages, requests,
        oks, verified, losses, duplicates, 0, loads.stream().mapToLong(EspLoad::fiveXx).sum(),
        loads.stream().mapToLong(l -> l.status(500)).sum()));
    assertThat(open.metrics()).containsPattern("gateway_ratelimit_fail_open_total\\{[^}]*\\} [1-9]");
    assertThat(closed.metrics()).containsPattern("gateway_ratelimit_redis_errors_total\\{[^}]*\\} [1-9]");
    assertThat(loads.stream().mapToLong(l -> l.missingRetryAfter.get()).sum()).isZero();
  }

  /** Exactly {@link #BUDGET} requests get 200, the next one 429 (a fresh source: no earlier counts). */
  private void assertBudgetHolds(GatewayProcess gateway, String source) {
    EspLoad load = load(source);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i <= BUDGET; i++) {
      statuses.add(load.send(gateway.port(), load.newDelivery()));
    }
    assertThat(statuses).as("%s on %s", source, gateway.port()).containsExactly(200, 200, 200, 200, 200, 429);
  }

  private int sendTimed(GatewayProcess gateway, String source) {
    EspLoad load = load(source);
    long started = System.nanoTime();
    int status = load.send(gateway.port(), load.newDelivery());
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to answer without Redis").isLessThan(ANSWER_LIMIT);
    return status;
  }

  /** Readiness (which pings Redis) back up, within a bound. */
  private void awaitRecovery(GatewayProcess gateway) {
    for (int i = 0; i < 100; i++) {
      if (gateway.ready() == 200) {
        return;
      }
      GatewayProcess.sleep(200);
    }
    throw new AssertionError("readiness not back 20 s after Redis restarted");
  }

  private EspLoad load(String source) {
    for (EspLoad load : loads) {
      if (load.source().equals(source)) {
        return load;
      }
    }
    EspLoad load = new EspLoad(sendgrid, source);
    loads.add(load);
    return load;
  }
}
