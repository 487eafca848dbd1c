package io.emailgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.ReliabilityReport;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fault 2, PostgreSQL unreachable: the real jar reaches PostgreSQL through a proxy that
 * partitions the network — open connections stop moving bytes without being closed, for good,
 * as when a route is lost or a NAT forgets them — and later lets new connections through again.
 * While partitioned every request is answered 503 with Retry-After within a bound; after the
 * partition heals the gateway recovers by itself, although its old connections never answer, and
 * the server-side sessions the partition cut off mid-transaction do not keep their locks (the
 * retry of their events would wait on them until statement_timeout, again and again).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresPartitionIT {
  private static final String SOURCE = "sg";
  private static final Duration ANSWER_LIMIT = Duration.ofSeconds(15);
  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(40);
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private TestDatabase db;
  private PartitionProxy proxy;
  private GatewayProcess gateway;

  @BeforeAll
  void start() throws Exception {
    db = new TestDatabase(getClass());
    proxy = new PartitionProxy(db.host(), db.port());
    String throughProxy = db.uri().replace(db.host() + ":" + db.port(), "127.0.0.1:" + proxy.port());
    JsonObject config = GatewayProcess.sendGridSetup(throughProxy, SOURCE, sendgrid.publicKey())
        .put("persist", new JsonObject().put("queue_timeout", "2s").put("write_timeout", "2s"));
    gateway = GatewayProcess.configure(Path.of("target", "reliability-work"), "postgres-partition", config).start();
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    proxy.close();
    db.close();
  }

  @Test
  void aPartitionThatNeverAnswersIs503sAndTheGatewayRecoversOnNewConnections() {
    EspLoad esp = new EspLoad(sendgrid, SOURCE);
    EspLoad probe = new EspLoad(sendgrid, SOURCE);
    for (int i = 0; i < 10; i++) {
      assertThat(esp.send(gateway.port(), esp.newDelivery())).isEqualTo(200);
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> senders = esp.start(gateway.port(), 2, stop);
    GatewayProcess.sleep(500);
    proxy.freeze();
    long partitioned = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      long started = System.nanoTime();
      int status = probe.send(gateway.port(), probe.newDelivery());
      assertThat(status).as("request %d during the partition", i).isEqualTo(503);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to answer").isLessThan(ANSWER_LIMIT);
    }
    GatewayProcess.sleep(Math.max(0, Faults.outageMillis() - (System.nanoTime() - partitioned) / 1_000_000));
    assertThat(gateway.ready()).as("readiness during the partition").isEqualTo(503);
    proxy.heal();
    Duration recovery = awaitFirst200(probe);
    assertThat(awaitReady()).as("readiness back after the partition healed").isTrue();
    EspLoad.stop(stop, senders);
    int stillPending = esp.resendPending(gateway.port(), Duration.ofSeconds(60))
        + probe.resendPending(gateway.port(), Duration.ofSeconds(60));

    Ledger.Check load = Ledger.check(db::query, SOURCE, esp, probe);
    Ledger.Check probes = Ledger.check(db::query, SOURCE, probe, esp);
    System.out.printf("PostgresPartitionIT: recovered %d ms after the partition healed; load %s; probes %s%n",
        recovery.toMillis(), esp.summary(), probe.summary());
    ReliabilityReport.record(new ReliabilityReport.Row("PostgreSQL partitioned, connections never answer (real jar)", 1,
        esp.requests.get() + probe.requests.get(), esp.oks.get() + probe.oks.get(),
        load.verifiedStored() + probes.verifiedStored(), load.losses() + probes.losses(),
        load.duplicateRows() + probes.duplicateRows(), 0, esp.fiveXx() + probe.fiveXx(), esp.status(500) + probe.status(500)));

    long stuckOnServer = db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db.name()
        + "' AND state LIKE 'idle in transaction%'");
    assertThat(stuckOnServer).as("sessions left idle in a transaction by the partition (their locks block retries)").isZero();
    assertThat(stillPending).isZero();
    assertThat(load.clean()).as("%s", load).isTrue();
    assertThat(probes.clean()).as("%s", probes).isTrue();
    assertThat(esp.unexpectedStatuses()).isEmpty();
    assertThat(esp.missingRetryAfter.get() + probe.missingRetryAfter.get()).isZero();
  }

  private boolean awaitReady() {
    for (int i = 0; i < 100; i++) {
      if (gateway.ready() == 200) {
        return true;
      }
      GatewayProcess.sleep(200);
    }
    return false;
  }

  private Duration awaitFirst200(EspLoad probe) {
    long started = System.nanoTime();
    while (Duration.ofNanos(System.nanoTime() - started).compareTo(RECOVERY_LIMIT) < 0) {
      if (probe.send(gateway.port(), probe.newDelivery()) == 200) {
        return Duration.ofNanos(System.nanoTime() - started);
      }
      GatewayProcess.sleep(500);
    }
    throw new AssertionError("no 200 within " + RECOVERY_LIMIT + " after the partition healed; log tail:\n"
        + gateway.log().lines().skip(Math.max(0, gateway.log().lines().count() - 30)).reduce("", (a, b) -> a + b + "\n"));
  }
}
