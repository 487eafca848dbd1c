package io.emailgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.ReliabilityReport;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fault 2, PostgreSQL restart and outage: the real jar writes to a PostgreSQL cluster of the
 * test's own, which is stopped (pg_ctl stop) — and in the full suite alternately crashed (SIGKILL
 * to the postmaster) — for {@link Faults#outageMillis} under load, then started again. While it
 * is down every request is answered 503 with Retry-After, promptly, and readiness is down; once
 * it is back the gateway recovers by itself (no restart), holds no more connections than its
 * pool and none stuck in a transaction, and every acknowledged event is stored exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresOutageIT {
  private static final String SOURCE = "sg";
  private static final int POOL = 4;
  /** queue_timeout + write_timeout + the pool's connect timeout, with room for a loaded machine. */
  private static final Duration ANSWER_LIMIT = Duration.ofSeconds(15);
  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private PrivatePostgres postgres;
  private GatewayProcess gateway;

  @BeforeAll
  void start() {
    Path work = Path.of("target", "reliability-work");
    postgres = PrivatePostgres.start(work);
    JsonObject config = new JsonObject()
        .put("postgres", new JsonObject().put("uri", postgres.uri("email_gateway")).put("pool_size", POOL))
        .put("redis", new JsonObject().put("uri", TestServices.redisUri()))
        .put("persist", new JsonObject().put("queue_timeout", "2s").put("write_timeout", "2s"))
        .put("sources", new JsonArray().add(new JsonObject().put("id", SOURCE).put("provider", "sendgrid")
            .put("public_keys", new JsonArray().add(sendgrid.publicKey()))));
    gateway = GatewayProcess.configure(work, "postgres-outage", config).start();
  }

  @AfterAll
  void stop() {
    gateway.close();
    postgres.close();
  }

  @Test
  void outagesAre503sWithRetryAfterAndTheGatewayRecoversByItselfLosingNothing() {
    EspLoad esp = new EspLoad(sendgrid, SOURCE);
    for (int i = 0; i < 10; i++) {
      assertThat(esp.send(gateway.port(), esp.newDelivery())).isEqualTo(200);
    }
    EspLoad probe = new EspLoad(sendgrid, SOURCE);
    List<Long> recoveries = new ArrayList<>();
    int outages = Faults.postgresOutages();
    for (int outage = 1; outage <= outages; outage++) {
      boolean crash = outage % 2 == 0;
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> senders = esp.start(gateway.port(), 2, stop);
      GatewayProcess.sleep(500);
      if (crash) {
        postgres.crash();
      } else {
        postgres.stop();
      }
      long down = System.nanoTime();
      assertAnsweredWith503Promptly(probe, outage);
      assertThat(awaitReadiness(503)).as("readiness down during outage %d", outage).isTrue();
      GatewayProcess.sleep(Math.max(0, Faults.outageMillis() - (System.nanoTime() - down) / 1_000_000));
      postgres.start();
      recoveries.add(awaitFirst200(probe).toMillis());
      assertThat(awaitReadiness(200)).as("readiness up again after outage %d", outage).isTrue();
      EspLoad.stop(stop, senders);
    }
    int stillPending = esp.resendPending(gateway.port(), Duration.ofSeconds(60))
        + probe.resendPending(gateway.port(), Duration.ofSeconds(60));

    Ledger.Check load = Ledger.check(this::query, SOURCE, esp, probe);
    Ledger.Check probes = Ledger.check(this::query, SOURCE, probe, esp);
    long sessions = postgres.count("postgres",
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'email-webhook-gateway'");
    long stuck = postgres.count("postgres", "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
        + "'email-webhook-gateway' AND state LIKE 'idle in transaction%'");
    System.out.printf("PostgresOutageIT: %d outages, recovery after restart %s ms; load %s; probes %s; sessions %d%n",
        outages, recoveries, esp.summary(), probe.summary(), sessions);
    ReliabilityReport.record(new ReliabilityReport.Row("PostgreSQL stop/crash and restart (real jar)", outages,
        esp.requests.get() + probe.requests.get(), esp.oks.get() + probe.oks.get(),
        load.verifiedStored() + probes.verifiedStored(), load.losses() + probes.losses(),
        load.duplicateRows() + probes.duplicateRows(), 0, esp.fiveXx() + probe.fiveXx(), esp.status(500) + probe.status(500)));

    assertThat(stillPending).as("deliveries never stored after the outages").isZero();
    assertThat(load.clean()).as("%s", load).isTrue();
    assertThat(probes.clean()).as("%s", probes).isTrue();
    assertThat(load.verifiedStored()).isEqualTo(Ledger.eventsSent(esp.all()));
    assertThat(esp.unexpectedStatuses()).isEmpty();
    assertThat(esp.missingRetryAfter.get() + probe.missingRetryAfter.get()).as("503s without Retry-After").isZero();
    assertThat(sessions).as("connections the gateway holds after recovering").isBetween(1L, (long) POOL);
    assertThat(stuck).as("connections stuck in a transaction").isZero();
    assertThat(gateway.metrics()).containsPattern("gateway_persist_failures_total\\{[^}]*\\} [1-9]");
  }

  /** Requests sent while PostgreSQL is down: each a 503 with Retry-After within {@link #ANSWER_LIMIT}. */
  private void assertAnsweredWith503Promptly(EspLoad probe, int outage) {
    for (int i = 0; i < 3; i++) {
      long started = System.nanoTime();
      long missing = probe.missingRetryAfter.get();
      int status = probe.send(gateway.port(), probe.newDelivery());
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(status).as("outage %d, request %d: status", outage, i).isEqualTo(503);
      assertThat(probe.missingRetryAfter.get()).as("Retry-After").isEqualTo(missing);
      assertThat(took).as("outage %d: time to answer", outage).isLessThan(ANSWER_LIMIT);
    }
  }

  private Duration awaitFirst200(EspLoad probe) {
    long started = System.nanoTime();
    while (Duration.ofNanos(System.nanoTime() - started).compareTo(RECOVERY_LIMIT) < 0) {
      if (probe.send(gateway.port(), probe.newDelivery()) == 200) {
        return Duration.ofNanos(System.nanoTime() - started);
      }
      GatewayProcess.sleep(200);
    }
    throw new AssertionError("no 200 within " + RECOVERY_LIMIT + " after PostgreSQL came back; log:\n" + gateway.log());
  }

  private boolean awaitReadiness(int status) {
    for (int i = 0; i < 100; i++) {
      if (gateway.ready() == status) {
        return true;
      }
      GatewayProcess.sleep(200);
    }
    return false;
  }

  private void query(String sql, io.emailgateway.testing.TestDatabase.SqlConsumer consumer) {
    postgres.query("email_gateway", sql, consumer);
  }
}
