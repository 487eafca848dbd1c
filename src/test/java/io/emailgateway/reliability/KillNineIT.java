package io.emailgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.ReliabilityReport;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fault 1, kill -9 under load: the real jar takes signed SendGrid batches from four senders and
 * is killed with SIGKILL at a random moment, then started again, {@link Faults#killCycles} times.
 * After every kill, every event of every delivery that got a 200 is in {@code events} exactly
 * once and no delivery is stored in part; the deliveries that got no answer are sent again, as
 * SendGrid would, and at the end every event ever sent is stored exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillNineIT {
  private static final String SOURCE = "sg";
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private TestDatabase db;
  private GatewayProcess gateway;

  @BeforeAll
  void configure() {
    db = new TestDatabase(getClass());
    JsonObject config = GatewayProcess.sendGridSetup(db.uri(), SOURCE, sendgrid.publicKey());
    gateway = GatewayProcess.configure(Path.of("target", "reliability-work"), "kill-nine", config);
  }

  @AfterAll
  void stop() {
    gateway.close();
    db.close();
  }

  @Test
  void everyAcknowledgedEventSurvivesEveryKillAndEveryResentDeliveryIsStoredOnce() {
    EspLoad esp = new EspLoad(sendgrid, SOURCE);
    int cycles = Faults.killCycles();
    for (int cycle = 1; cycle <= cycles; cycle++) {
      gateway.start();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> senders = esp.start(gateway.port(), 4, stop);
      GatewayProcess.sleep(ThreadLocalRandom.current().nextLong(300, Math.max(301, Faults.loadMillis())));
      gateway.kill9();
      EspLoad.stop(stop, senders);

      Ledger.Check afterKill = Ledger.check(db::query, SOURCE, esp);
      assertThat(afterKill.losses()).as("cycle %d: acknowledged events missing after kill -9 (%s)", cycle, esp.summary()).isZero();
      assertThat(afterKill.partialDeliveries()).as("cycle %d: deliveries stored in part", cycle).isZero();
      assertThat(afterKill.duplicateRows()).as("cycle %d: events stored twice", cycle).isZero();
    }

    gateway.start();
    int stillPending = esp.resendPending(gateway.port(), Duration.ofSeconds(60));
    Ledger.Check end = Ledger.check(db::query, SOURCE, esp);
    long sent = Ledger.eventsSent(esp.all());
    System.out.printf("KillNineIT: %d kill -9 cycles, %s; events sent %d, stored and verified %d%n",
        cycles, esp.summary(), sent, end.verifiedStored());
    ReliabilityReport.record(new ReliabilityReport.Row("kill -9 under load (real jar)", cycles, esp.requests.get(),
        esp.oks.get(), end.verifiedStored(), end.losses(), end.duplicateRows(), 0, esp.fiveXx(), esp.status(500)));

    assertThat(stillPending).as("deliveries never answered 200 after the last restart").isZero();
    assertThat(end.clean()).as("%s", end).isTrue();
    assertThat(end.verifiedStored()).as("every event sent is stored exactly once").isEqualTo(sent);
    assertThat(esp.unexpectedStatuses()).as("statuses other than 200, 503 or no answer").isEmpty();
    assertThat(esp.status(500)).isZero();
    assertThat(esp.oks.get()).as("the load reached the gateway").isGreaterThan(cycles);
  }
}
