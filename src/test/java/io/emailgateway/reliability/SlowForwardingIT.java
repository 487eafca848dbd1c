package io.emailgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.ReliabilityReport;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fault 5, a slow consumer: the real jar forwards to a destination that takes connections and
 * requests and never answers ({@code hang}), one that answers 200 and then sends the body one
 * byte every 250 ms for as long as it is let ({@code trickle}), and a healthy one ({@code ok}), while
 * four senders post signed SendGrid batches (bounces, deliveries, opens, clicks, spam reports)
 * for {@link Faults#slowForwardingMillis}. Every request still gets its 200 without a 503 and
 * within the persist timeouts, and every acknowledged event is stored once; the database
 * handlers finish every event within 60 s of the load, with exactly the effects of handling each
 * once, while every delivery to {@code hang} and {@code trickle} stays pending; the healthy
 * destination gets every event it takes; requests in flight to each slow destination never exceed its
 * {@code max_in_flight} (on the metric and on the receiving side); each connection to a slow
 * destination is closed by the gateway once its {@code timeout} has passed — also the trickling
 * one, whose bytes keep an idle timer alive for ever; and the gateway stays ready throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowForwardingIT {
  private static final String SOURCE = "sg";
  private static final long TIMEOUT_MILLIS = 2000;
  /** How far past its timeout a connection may stay open: the gateway's timer, its close, this side's read, a busy box. */
  private static final long CLOSE_SLACK_MILLIS = 8000;
  private static final int HANG_IN_FLIGHT = 3;
  private static final int TRICKLE_IN_FLIGHT = 2;
  /** The persist path's bounds (persist.queue_timeout 5 s + write_timeout 10 s by default): an answer later than both is a stall. */
  private static final Duration PERSIST_BOUND = Duration.ofSeconds(15);
  /** The types the trickling and the healthy destination take (a third of the events). */
  private static final Set<String> FORWARDED_TYPES = Set.of("bounced", "complained");
  /**
   * Each sender rests this long after each 200: a steady ESP of some 400 events/s, not a flood —
   * flat out, four senders outrun the handlers of a busy 2-core box whatever the destinations
   * do, and the suite is about what slow destinations do.
   */
  private static final long SENDER_PAUSE_MILLIS = 100;

  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private TestDatabase db;
  private WebhookTarget hang;
  private WebhookTarget trickle;
  private WebhookTarget ok;
  private GatewayProcess gateway;

  @BeforeAll
  void start() throws Exception {
    db = new TestDatabase(getClass());
    hang = new WebhookTarget(WebhookTarget.Behaviour.HANG);
    trickle = new WebhookTarget(WebhookTarget.Behaviour.TRICKLE);
    ok = new WebhookTarget(WebhookTarget.Behaviour.ACCEPT);
    String secret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
    JsonObject generous = new JsonObject().put("requests", 1_000_000).put("window", "60s");
    JsonObject config = new JsonObject()
        .put("postgres", new JsonObject().put("uri", db.uri()).put("pool_size", 6))
        .put("redis", new JsonObject().put("uri", TestServices.redisUri()))
        .put("rate_limit_per_ip", generous)
        .put("sources", new JsonArray().add(new JsonObject().put("id", SOURCE).put("provider", "sendgrid")
            .put("public_keys", new JsonArray().add(sendgrid.publicKey())).put("rate_limit", generous)))
        .put("handlers", new JsonObject().put("poll_interval", "100ms").put("metrics_interval", "2s")
            .put("forwarding", new JsonObject().put("poll_interval", "200ms")))
        .put("destinations", new JsonArray()
            .add(slow("hang", hang, HANG_IN_FLIGHT, secret))
            .add(slow("trickle", trickle, TRICKLE_IN_FLIGHT, secret).put("types", new JsonArray(List.copyOf(FORWARDED_TYPES))))
            .add(new JsonObject().put("id", "ok").put("url", ok.url()).put("signing_secret", secret)
                .put("types", new JsonArray(List.copyOf(FORWARDED_TYPES))).put("retry_initial", "100ms").put("retry_max", "1s")));
    gateway = GatewayProcess.configure(Path.of("target", "reliability-work"), "slow-forwarding", config).start();
  }

  private static JsonObject slow(String id, WebhookTarget target, int inFlight, String secret) {
    return new JsonObject().put("id", id).put("url", target.url()).put("signing_secret", secret)
        .put("max_in_flight", inFlight).put("timeout", TIMEOUT_MILLIS + "ms")
        .put("retry_initial", "200ms").put("retry_max", "1s").put("max_attempts", 1000);
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    hang.close();
    trickle.close();
    ok.close();
    db.close();
  }

  @Test
  void slowDestinationsHoldUpNeitherIngestNorTheDatabaseHandlersAndTheirRequestsAreBoundedAndTimedOut() {
    EspLoad esp = new EspLoad(sendgrid, SOURCE, List.of("bounce", "delivered", "open", "click", "spamreport", "delivered"));
    AtomicBoolean stop = new AtomicBoolean();
    Map<String, Double> maxInFlight = new ConcurrentHashMap<>();
    List<Integer> readiness = new CopyOnWriteArrayList<>();
    Thread watcher = new Thread(() -> {
      while (!stop.get()) {
        readiness.add(gateway.ready());
        for (String destination : List.of("hang", "trickle")) {
          maxInFlight.merge(destination, gateway.metric("gateway_forward_in_flight", "destination=\"" + destination + "\""), Math::max);
        }
        GatewayProcess.sleep(200);
      }
    }, "slow-forwarding-watcher");
    watcher.start();

    AtomicBoolean stopSenders = new AtomicBoolean();
    List<Thread> senders = esp.start(gateway.port(), 4, stopSenders, SENDER_PAUSE_MILLIS);
    GatewayProcess.sleep(Faults.slowForwardingMillis());
    EspLoad.stop(stopSenders, senders);
    long loadEnded = System.nanoTime();

    boolean drained = await(Duration.ofSeconds(60), () -> db.count("SELECT count(*) FROM outbox") == 0);
    long drainMillis = (System.nanoTime() - loadEnded) / 1_000_000;
    long stored = db.count("SELECT count(*) FROM events");
    long hangPendingAtDrain = db.count("SELECT count(*) FROM deliveries WHERE destination = 'hang' AND state = 'pending'");
    long forwardedTypes = db.count("SELECT count(*) FROM events WHERE type IN ('bounced', 'complained')");
    long tricklePendingAtDrain = db.count("SELECT count(*) FROM deliveries WHERE destination = 'trickle' AND state = 'pending'");
    Set<Long> forwardedIds = new HashSet<>();
    db.query("SELECT id FROM events WHERE type IN ('bounced', 'complained')", rows -> {
      while (rows.next()) {
        forwardedIds.add(rows.getLong(1));
      }
    });
    boolean okGotAll = await(Duration.ofSeconds(60), () -> ok.received().keySet().containsAll(forwardedIds));
    // Enough attempts to the slow destinations have ended (or not) to judge their timeouts.
    await(Duration.ofSeconds(30), () -> closed(hang) >= 2 * HANG_IN_FLIGHT && closed(trickle) >= 2 * TRICKLE_IN_FLIGHT);
    boolean pendingGauge = await(Duration.ofSeconds(15), () ->
        gateway.metric("gateway_forward_pending", "destination=\"hang\"") == stored);
    stop.set(true);
    join(watcher);

    Ledger.Check ledger = Ledger.check(db::query, SOURCE, esp);
    HandlerEffects expected = HandlerEffects.expected(HandlerEffects.stored(db::query, SOURCE));
    HandlerEffects actual = HandlerEffects.actual(db::query);
    long now = System.nanoTime();
    java.util.LongSummaryStatistics hangAges = hang.connections().stream().filter(c -> c.closedNanos != 0)
        .mapToLong(c -> c.ageMillis(now)).summaryStatistics();
    java.util.LongSummaryStatistics trickleAges = trickle.connections().stream().filter(c -> c.closedNanos != 0)
        .mapToLong(c -> c.ageMillis(now)).summaryStatistics();
    System.out.printf("SlowForwardingIT: %s; slowest answer %d ms; %d events stored, handlers drained %d ms after the load;"
            + " hang: %d pending, %d connections closed after %d-%d ms, max in flight %s (receiving side %d); trickle: %d"
            + " pending, %d connections closed after %d-%d ms, max in flight %s (receiving side %d); ok received %d of %d%n",
        esp.summary(), esp.slowestAnswerNanos.get() / 1_000_000, stored, drainMillis, hangPendingAtDrain,
        hangAges.getCount(), hangAges.getMin(), hangAges.getMax(), maxInFlight.get("hang"), hang.maxConcurrent(100),
        tricklePendingAtDrain, trickleAges.getCount(), trickleAges.getMin(), trickleAges.getMax(), maxInFlight.get("trickle"),
        trickle.maxConcurrent(100),
        ok.received().size(), forwardedIds.size());
    ReliabilityReport.record(new ReliabilityReport.Row("forwarding destinations hang and trickle under load (real jar)", 2,
        esp.requests.get(), esp.oks.get(), ledger.verifiedStored(), ledger.losses() + actual.shortfallAgainst(expected),
        ledger.duplicateRows() + actual.excessOver(expected), 0, esp.fiveXx(), esp.status(500)));

    assertThat(esp.oks.get()).as("every request answered 200 (%s)", esp.summary()).isEqualTo(esp.requests.get());
    assertThat(esp.oks.get()).as("the load reached the gateway").isGreaterThan(20);
    assertThat(Duration.ofNanos(esp.slowestAnswerNanos.get())).as("slowest answer").isLessThan(PERSIST_BOUND);
    assertThat(ledger.clean()).as("%s", ledger).isTrue();
    assertThat(ledger.verifiedStored()).isEqualTo(Ledger.eventsSent(esp.all()));
    assertThat(readiness).as("readiness while forwarding was stuck").isNotEmpty().containsOnly(200);

    assertThat(drained).as("database handlers drained the outbox within 60 s of the load while forwarding was stuck").isTrue();
    assertThat(actual.countsDifferingFrom(expected)).as("handler counters unlike the events'").isEmpty();
    assertThat(db.count("SELECT count(*) FROM handler_dead_events")).isZero();
    assertThat(hangPendingAtDrain).as("deliveries to the hanging destination, all still pending").isEqualTo(stored);
    assertThat(tricklePendingAtDrain).as("deliveries to the trickling destination, all still pending").isEqualTo(forwardedTypes);
    assertThat(db.count("SELECT count(*) FROM deliveries WHERE destination IN ('hang', 'trickle') AND state = 'dead'")).isZero();
    assertThat(pendingGauge).as("gateway_forward_pending{destination=\"hang\"} equals the events stored").isTrue();
    assertThat(okGotAll).as("the healthy destination received every event it takes (%d of %d)", ok.received().size(), forwardedIds.size())
        .isTrue();

    assertThat(maxInFlight.get("hang")).as("gateway_forward_in_flight of hang").isBetween(1.0, (double) HANG_IN_FLIGHT);
    assertThat(maxInFlight.get("trickle")).as("gateway_forward_in_flight of trickle").isBetween(1.0, (double) TRICKLE_IN_FLIGHT);
    assertThat(hang.maxConcurrent(100)).as("connections open at once to hang").isBetween(1, HANG_IN_FLIGHT);
    assertThat(trickle.maxConcurrent(100)).as("connections open at once to trickle").isBetween(1, TRICKLE_IN_FLIGHT);
    assertTimedOut("hang", hang, HANG_IN_FLIGHT, now);
    assertTimedOut("trickle", trickle, TRICKLE_IN_FLIGHT, now);
    assertThat(gateway.metric("gateway_forward_attempts_total", "destination=\"hang\"")).as("failed attempts to hang")
        .isGreaterThanOrEqualTo(closed(hang));
    List<String> otherErrors = new java.util.ArrayList<>();
    db.query("SELECT DISTINCT destination || ': ' || last_error FROM deliveries WHERE destination IN ('hang', 'trickle')"
        + " AND last_error NOT ILIKE '%timeout%'", rows -> {
          while (rows.next()) {
            otherErrors.add(rows.getString(1));
          }
        });
    assertThat(otherErrors).as("attempts to the slow destinations that failed otherwise than by their timeout").isEmpty();
  }

  /** Every closed connection lasted the timeout, give or take; none still open has outlived it; enough attempts ended. */
  private static void assertTimedOut(String name, WebhookTarget target, int inFlight, long now) {
    List<WebhookTarget.Connection> connections = target.connections();
    assertThat(connections.stream().filter(c -> c.closedNanos != 0).count()).as("%s: connections the gateway closed", name)
        .isGreaterThanOrEqualTo(2L * inFlight);
    for (WebhookTarget.Connection c : connections) {
      long age = c.ageMillis(now);
      assertThat(age).as("%s: a connection open for %d ms (timeout %d ms)", name, age, TIMEOUT_MILLIS)
          .isLessThanOrEqualTo(TIMEOUT_MILLIS + CLOSE_SLACK_MILLIS);
      if (c.closedNanos != 0) {
        assertThat(age).as("%s: closed before its timeout", name).isGreaterThanOrEqualTo(TIMEOUT_MILLIS - 500);
      }
    }
  }

  private static long closed(WebhookTarget target) {
    return target.connections().stream().filter(c -> c.closedNanos != 0).count();
  }

  private static boolean await(Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      GatewayProcess.sleep(200);
    }
    return true;
  }

  private static void join(Thread thread) {
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
