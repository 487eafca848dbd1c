package io.emailgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.ReliabilityReport;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fault 6, graceful shutdown: SIGTERM to the real jar under load from senders that open a
 * connection per request and never look at readiness, while another thread polls it. Readiness
 * goes down before the webhook port stops accepting; every request the gateway took in is
 * answered — 200 after its COMMIT, or 503 while draining — before the socket closes: no request
 * is committed without its answer reaching the sender, none hangs; the process exits cleanly
 * within its grace period; nothing acknowledged is lost, and the refused deliveries, sent again
 * to the restarted jar, are stored exactly once.
 *
 * <p>A connection that reaches the port in the instant its listener closes is reset by Vert.x's
 * shared server (its acceptor has no ingest verticle left to hand it to): the sender sees a
 * connection error before any byte of an answer, exactly like a refused connection, and retries.
 * Those are counted and must come after SIGTERM and carry nothing that was stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GracefulShutdownIT {
  private static final String SOURCE = "sg";
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private TestDatabase db;
  private GatewayProcess gateway;

  /** One observation of readiness: when, and the status (-1: the management port did not answer). */
  private record Probe(long nanos, int status) {}

  @BeforeAll
  void configure() {
    db = new TestDatabase(getClass());
    JsonObject config = GatewayProcess.sendGridSetup(db.uri(), SOURCE, sendgrid.publicKey());
    gateway = GatewayProcess.configure(Path.of("target", "reliability-work"), "graceful-shutdown", config);
  }

  @AfterAll
  void stop() {
    gateway.close();
    db.close();
  }

  @Test
  void sigtermDrainsUnderLoadAnswersEveryAcceptedRequestAndLosesNothing() throws InterruptedException {
    EspLoad esp = new EspLoad(sendgrid, SOURCE);
    int shutdowns = Faults.shutdowns();
    long refusedFirstAt = Long.MAX_VALUE;
    long resetsSeen = 0;
    for (int round = 1; round <= shutdowns; round++) {
      gateway.start();
      List<Long> refusals = Collections.synchronizedList(new ArrayList<>());
      List<Reset> resets = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> senders = rawSenders(esp, 4, stop, refusals, resets);
      List<Probe> readiness = Collections.synchronizedList(new ArrayList<>());
      Thread poller = readinessPoller(readiness, stop);
      GatewayProcess.sleep(1500);
      // A request whose body is still arriving when SIGTERM comes keeps the drain open: it must be
      // answered 200, and what arrives meanwhile 503. (Without it the drain could end at once when
      // nothing happened to be in flight, and no sender would see a 503.)
      AtomicInteger heldStatus = new AtomicInteger();
      Thread held = new Thread(() -> heldStatus.set(esp.sendHeld(gateway.port(), esp.newDelivery(), Duration.ofMillis(500))),
          "held-request");
      held.start();
      GatewayProcess.sleep(200); // SIGTERM comes while the rest of its body is still 300 ms away

      long sigterm = System.nanoTime();
      gateway.terminate(Duration.ofSeconds(60));
      GatewayProcess.sleep(300);
      held.join(30_000);
      assertThat(heldStatus.get()).as("round %d: the request in flight at SIGTERM", round).isEqualTo(200);
      EspLoad.stop(stop, senders);
      EspLoad.stop(stop, List.of(poller));

      long readinessDown = readiness.stream().filter(p -> p.nanos() > sigterm && p.status() == 503)
          .mapToLong(Probe::nanos).min().orElse(Long.MAX_VALUE);
      refusedFirstAt = refusals.stream().mapToLong(Long::longValue).filter(t -> t > sigterm).min().orElse(Long.MAX_VALUE);
      assertThat(readinessDown).as("round %d: readiness answered 503 after SIGTERM", round).isLessThan(Long.MAX_VALUE);
      // Readiness is sampled every 10 ms, so a probe sent just before the drain began can still be the
      // last 200 when the port refuses a few ms later: what must hold is that no probe sent after the
      // port refused connections was answered "ready" (503, or no answer once the listener is gone).
      long refusedAt = refusedFirstAt;
      assertThat(readiness).filteredOn(probe -> probe.nanos() > refusedAt)
          .as("round %d: readiness answered 200 after the webhook port refused connections", round)
          .allMatch(probe -> probe.status() != 200);
      assertThat(esp.status(RawHttp.TIMEOUT)).as("requests never answered").isZero();
      assertThat(resets).as("connections reset before SIGTERM").allMatch(reset -> reset.nanos() > sigterm);
      resetsSeen += resets.size();
      if (!resets.isEmpty()) {
        long firstReset = resets.stream().mapToLong(Reset::nanos).min().orElseThrow();
        long lastReset = resets.stream().mapToLong(Reset::nanos).max().orElseThrow();
        System.out.printf("GracefulShutdownIT round %d: %d resets from %d ms to %d ms after SIGTERM, first refusal at %d ms%n",
            round, resets.size(), (firstReset - sigterm) / 1_000_000, (lastReset - sigterm) / 1_000_000,
            (refusedFirstAt - sigterm) / 1_000_000);
      }
      assertThat(gateway.log()).contains("shut down cleanly");
      Ledger.Check afterStop = Ledger.check(db::query, SOURCE, esp);
      assertThat(afterStop.losses()).as("acknowledged events lost by the shutdown").isZero();
      assertThat(afterStop.partialDeliveries()).isZero();
      for (Reset reset : resets) {
        assertThat(storedEvents(reset.delivery())).as("a request committed but its connection reset without answer").isZero();
      }
    }

    gateway.start();
    int stillPending = esp.resendPending(gateway.port(), Duration.ofSeconds(60));
    Ledger.Check end = Ledger.check(db::query, SOURCE, esp);
    System.out.printf("GracefulShutdownIT: %d SIGTERMs; %s; connections reset as the listener closed: %d; events verified %d%n",
        shutdowns, esp.summary(), resetsSeen, end.verifiedStored());
    ReliabilityReport.record(new ReliabilityReport.Row("SIGTERM under load (real jar)", shutdowns, esp.requests.get(),
        esp.oks.get(), end.verifiedStored(), end.losses(), end.duplicateRows(), 0, esp.fiveXx(), esp.status(500)));
    assertThat(stillPending).isZero();
    assertThat(end.clean()).as("%s", end).isTrue();
    assertThat(end.verifiedStored()).isEqualTo(Ledger.eventsSent(esp.all()));
    assertThat(esp.unexpectedStatuses()).isEmpty();
    assertThat(esp.status(503)).as("requests refused while draining").isPositive();
    assertThat(esp.missingRetryAfter.get()).isZero();
  }

  /** A delivery whose connection ended without a byte of an answer, and when. */
  private record Reset(long nanos, EspLoad.Delivery delivery) {}

  private long storedEvents(EspLoad.Delivery delivery) {
    return db.count("SELECT count(*) FROM events WHERE source = '" + SOURCE + "' AND event_key IN ("
        + String.join(",", delivery.eventIds().stream().map(id -> "'" + id + "'").toList()) + ")");
  }

  /** Senders over fresh connections; every refused connection and every reset is kept. */
  private List<Thread> rawSenders(EspLoad esp, int count, AtomicBoolean stop, List<Long> refusals, List<Reset> resets) {
    List<Thread> senders = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Thread sender = new Thread(() -> {
        while (!stop.get()) {
          EspLoad.Delivery delivery = esp.newDelivery();
          int status = esp.sendRaw(gateway.port(), delivery);
          if (status == RawHttp.NO_ANSWER) {
            resets.add(new Reset(System.nanoTime(), delivery));
          }
          if (status == RawHttp.REFUSED) {
            refusals.add(System.nanoTime());
            GatewayProcess.sleep(20);
          }
        }
      }, "raw-sender-" + i);
      sender.setDaemon(true);
      sender.start();
      senders.add(sender);
    }
    return senders;
  }

  private Thread readinessPoller(List<Probe> probes, AtomicBoolean stop) {
    Thread poller = new Thread(() -> {
      while (!stop.get()) {
        probes.add(new Probe(System.nanoTime(), gateway.ready()));
        GatewayProcess.sleep(10);
      }
    }, "readiness-poller");
    poller.setDaemon(true);
    poller.start();
    return poller;
  }
}
