package io.emailgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.ReliabilityReport;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TcpProxy;
import io.emailgateway.testing.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fault 4, a handler crash in the middle of a batch: "no effect applied twice, nothing skipped".
 * The real jar first takes a known set of signed SendGrid events with its handlers off, so they
 * wait in the outbox — the stories of several hundred messages (processed, deferred, delivered,
 * opens and clicks, hard and soft bounces, drops of invalid addresses, spam reports,
 * unsubscribes), shuffled across batches. Then a jar with handlers on (two verticles, two outbox
 * rows per transaction) drains them, and at moments when a handler transaction is at work on the
 * outbox (holds claimed rows or deletes them), {@link Faults#handlerCrashes} times over, its
 * PostgreSQL connections are cut (a proxy closes them mid-transaction) and later the process is
 * killed with SIGKILL. A last start drains the rest. Then every handler table must hold exactly
 * what handling each event once gives, computed in Java from the events ({@link
 * HandlerEffects}): engagement counts, deliverability counts per hour, each suppression with its
 * count, first and last time and cause, soft bounces, message status and timeline counts;
 * nothing parked as dead; and every event of the types the forwarding destination takes either
 * reached it or still has its {@code deliveries} row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandlerCrashIT {
  private static final String SOURCE = "sg";
  private static final String DESTINATION = "crm";
  private static final Set<String> FORWARDED_TYPES = Set.of("bounced", "complained", "unsubscribed", "rejected");
  /** Soft bounces of a story go to one of these few addresses, so that some reach the threshold of 3 and some do not. */
  private static final int SOFT_BOUNCED_ADDRESSES = 25;
  private static final Map<String, String> NORMALIZED = Map.of("processed", "queued", "deferred", "deferred",
      "delivered", "delivered", "bounce", "bounced", "open", "opened", "click", "clicked", "spamreport", "complained",
      "unsubscribe", "unsubscribed", "dropped", "rejected");

  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private final Random random = new Random();
  /**
   * A day ago, in unix seconds: message {@code m} has its events at {@code t0 + 7 m} to {@code t0
   * + 7 m + 6}, so no two events share a second, and all lie within one soft-bounce window and
   * well inside the soft bounces' retention.
   */
  private final long t0 = System.currentTimeMillis() / 1000 - 86_400;
  private TestDatabase db;
  private TcpProxy proxy;
  private WebhookTarget destination;
  private GatewayProcess ingest;
  private GatewayProcess handlers;
  private Connection monitor;

  /** One event as sent: its sg_event_id, the normalized type it must be stored as, its JSON. */
  private record Sent(String key, String type, String json) {}

  @BeforeAll
  void configure() throws Exception {
    db = new TestDatabase(getClass());
    proxy = new TcpProxy(db.host(), db.port());
    destination = new WebhookTarget(WebhookTarget.Behaviour.ACCEPT);
    String throughProxy = db.uri().replace(db.host() + ":" + db.port(), "127.0.0.1:" + proxy.port());
    JsonObject base = GatewayProcess.sendGridSetup(throughProxy, SOURCE, sendgrid.publicKey());
    Path work = Path.of("target", "reliability-work");
    ingest = GatewayProcess.configure(work, "handler-crash-ingest",
        base.copy().put("handlers", new JsonObject().put("enabled", false)));
    handlers = GatewayProcess.configure(work, "handler-crash", base.copy()
        .put("handlers", new JsonObject().put("instances", 2).put("batch_rows", 2).put("max_batch_events", 40)
            .put("poll_interval", "100ms").put("retry_initial", "100ms").put("retry_max", "500ms")
            .put("metrics_interval", "1s").put("forwarding", new JsonObject().put("poll_interval", "200ms")))
        .put("destinations", new JsonArray().add(new JsonObject().put("id", DESTINATION).put("url", destination.url())
            .put("signing_secret", "whsec_" + Base64.getEncoder().encodeToString(new byte[32]))
            .put("types", new JsonArray(List.copyOf(FORWARDED_TYPES))).put("timeout", "2s")
            .put("retry_initial", "100ms").put("retry_max", "1s"))));
  }

  @AfterAll
  void stop() throws Exception {
    ingest.close();
    handlers.close();
    if (monitor != null) {
      monitor.close();
    }
    destination.close();
    proxy.close();
    db.close();
  }

  @Test
  void everyHandlerEffectIsAppliedExactlyOnceThroughKillsAndCutConnectionsMidBatch() throws Exception {
    int cycles = Faults.handlerCrashes();
    List<Sent> sent = new ArrayList<>();
    int messages = 250 * (cycles + 1);
    int recipients = messages / 4;
    for (int m = 0; m < messages; m++) {
      sent.addAll(story(m, "user" + (m % recipients) + "@example.com"));
    }
    Collections.shuffle(sent, random);
    EspLoad esp = new EspLoad(sendgrid, SOURCE);
    List<EspLoad.Delivery> deliveries = new ArrayList<>();
    for (int from = 0; from < sent.size(); ) {
      List<Sent> batch = sent.subList(from, Math.min(sent.size(), from + 1 + random.nextInt(12)));
      deliveries.add(esp.delivery(batch.stream().map(Sent::key).toList(), batch.stream().map(Sent::json).toList()));
      from += batch.size();
    }

    ingest.start();
    sendAll(esp, deliveries, ingest.port());
    int unanswered = esp.resendPending(ingest.port(), Duration.ofSeconds(60));
    ingest.kill9();
    Ledger.Check stored = Ledger.check(db::query, SOURCE, esp);
    assertThat(unanswered).as("deliveries never answered 200 (%s)", esp.summary()).isZero();
    assertThat(stored.clean()).as("%s", stored).isTrue();
    assertThat(stored.verifiedStored()).as("every event sent is stored exactly once").isEqualTo(sent.size());
    Map<String, String> storedTypes = HandlerEffects.stored(db::query, SOURCE).stream()
        .collect(Collectors.toMap(HandlerEffects.Event::key, HandlerEffects.Event::type));
    assertThat(storedTypes).as("types as stored").isEqualTo(sent.stream().collect(Collectors.toMap(Sent::key, Sent::type)));
    long backlog = db.count("SELECT count(*) FROM outbox");
    assertThat(backlog).as("outbox rows waiting for the handlers").isGreaterThan(4L * cycles);
    assertThat(db.count("SELECT count(*) FROM engagement") + db.count("SELECT count(*) FROM messages")).isZero();

    monitor = db.connection();
    int planned = 2 * cycles;
    int cuts = 0;
    int kills = 0;
    List<Long> leftAtFaults = new ArrayList<>();
    for (int cycle = 1; cycle <= cycles; cycle++) {
      handlers.launch();
      if (awaitClaimMidDrain(planned - cuts - kills)) {
        proxy.cut();
        leftAtFaults.add(outbox()[0]);
        cuts++;
        GatewayProcess.sleep(300);
        proxy.restore();
      }
      if (awaitClaimMidDrain(planned - cuts - kills)) {
        handlers.kill9();
        leftAtFaults.add(outbox()[0]);
        kills++;
      } else {
        handlers.kill9();
      }
    }
    handlers.start();
    awaitOutboxEmpty(Duration.ofSeconds(60));

    HandlerEffects expected = HandlerEffects.expected(HandlerEffects.stored(db::query, SOURCE));
    HandlerEffects actual = HandlerEffects.actual(db::query);
    long doubled = actual.excessOver(expected);
    long skipped = actual.shortfallAgainst(expected);
    Forwarding forwarding = forwarding();
    System.out.printf("HandlerCrashIT: %d events in %d deliveries, %d outbox rows; %d connection cuts and %d kill -9 "
            + "while a handler transaction was at work on the outbox, outbox rows left at each: %s; effects applied twice: %d, skipped: %d; "
            + "forwarded %d events (%d sent more than once), %d still pending%n", sent.size(), deliveries.size(), backlog,
        cuts, kills, leftAtFaults, doubled, skipped, forwarding.received().size(), forwarding.resent(),
        forwarding.pending().size());
    ReliabilityReport.record(new ReliabilityReport.Row("handler crash mid-batch: kill -9, cut PostgreSQL connections (real jar)",
        cuts + kills, esp.requests.get(), esp.oks.get(), stored.verifiedStored(), stored.losses() + skipped,
        stored.duplicateRows() + doubled, 0, esp.fiveXx(), esp.status(500)));

    assertThat(cuts + kills).as("faults injected while a handler transaction was at work on the outbox (of %d planned)", planned)
        .isEqualTo(planned);
    assertThat(db.count("SELECT count(*) FROM handler_dead_events")).as("events parked as dead").isZero();
    assertThat(db.count("SELECT count(*) FROM suppression_changes")).as("hand changes recorded").isZero();
    assertThat(actual.countsDifferingFrom(expected))
        .as("handler counters (engagement, deliverability, suppressions, soft bounces, messages) unlike the events'").isEmpty();
    assertThat(actual.factsDifferingFrom(expected)).as("first/last times, causes and statuses unlike the events'").isEmpty();
    assertThat(expected.counts().keySet().stream().map(k -> k.substring(0, k.indexOf('|'))).collect(Collectors.toSet()))
        .as("the stories reach every handler").contains("engagement.opens", "engagement.clicks", "deliverability.delivered",
            "deliverability.bounced", "deliverability.complained", "suppressions.count", "soft_bounces", "messages.event_count");
    assertThat(expected.facts().keySet()).as("every suppression reason")
        .anyMatch(k -> k.endsWith("|hard_bounce")).anyMatch(k -> k.endsWith("|soft_bounce"))
        .anyMatch(k -> k.endsWith("|complaint")).anyMatch(k -> k.endsWith("|unsubscribe")).anyMatch(k -> k.endsWith("|invalid"));

    assertThat(forwarding.strangers()).as("deliveries rows or forwards of events the destination does not take").isEmpty();
    Set<Long> covered = new HashSet<>(forwarding.received().keySet());
    covered.addAll(forwarding.pending());
    assertThat(covered).as("every event the destination takes reached it or waits in deliveries")
        .isEqualTo(forwarding.expected());
  }

  /** Per story step: the SendGrid event, and what it carries besides the common fields. */
  private List<Sent> story(int m, String recipient) {
    String messageId = "hc" + m + "x" + Long.toHexString(random.nextLong() >>> 1);
    List<String[]> steps = new ArrayList<>();
    int pick = random.nextInt(100);
    if (pick < 45) {
      steps.add(new String[] {"processed", ""});
      steps.add(new String[] {"delivered", ",\"response\":\"250 OK\""});
      int opens = random.nextInt(4);
      int clicks = opens == 0 ? 0 : random.nextInt(3);
      for (int i = 0; i < opens; i++) {
        steps.add(new String[] {"open", ",\"useragent\":\"Mozilla/5.0\",\"ip\":\"192.0.2.1\""});
      }
      for (int i = 0; i < clicks; i++) {
        steps.add(new String[] {"click", ",\"url\":\"https://example.com/offer\",\"useragent\":\"Mozilla/5.0\""});
      }
    } else if (pick < 55) {
      steps.add(new String[] {"processed", ""});
      steps.add(new String[] {"deferred", ",\"response\":\"421 try again later\",\"attempt\":\"1\""});
      steps.add(new String[] {"delivered", ",\"response\":\"250 OK\""});
      steps.add(new String[] {"open", ""});
    } else if (pick < 67) {
      steps.add(new String[] {"processed", ""});
      steps.add(new String[] {"bounce", ",\"type\":\"bounce\",\"reason\":\"550 5.1.1 no such user\""});
    } else if (pick < 75) {
      recipient = "soft" + (m % SOFT_BOUNCED_ADDRESSES) + "@example.com";
      steps.add(new String[] {"processed", ""});
      steps.add(new String[] {"bounce", ",\"type\":\"blocked\",\"reason\":\"452 mailbox full\""});
    } else if (pick < 83) {
      steps.add(new String[] {"dropped", ",\"reason\":\"Invalid\""});
    } else if (pick < 92) {
      steps.add(new String[] {"processed", ""});
      steps.add(new String[] {"delivered", ""});
      steps.add(new String[] {"spamreport", ""});
    } else {
      steps.add(new String[] {"processed", ""});
      steps.add(new String[] {"delivered", ""});
      steps.add(new String[] {"open", ""});
      steps.add(new String[] {"unsubscribe", ""});
    }
    List<Sent> events = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      String key = SendGridFixtures.eventId();
      String json = "{\"email\":\"" + recipient + "\",\"event\":\"" + steps.get(i)[0] + "\",\"sg_event_id\":\"" + key
          + "\",\"sg_message_id\":\"" + messageId + ".filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\",\"smtp-id\":\"<"
          + messageId + "@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":" + (t0 + 7L * m + i) + ",\"category\":[\"crash\"]"
          + steps.get(i)[1] + "}";
      events.add(new Sent(key, NORMALIZED.get(steps.get(i)[0]), json));
    }
    return events;
  }

  private static void sendAll(EspLoad esp, List<EspLoad.Delivery> deliveries, int port) throws InterruptedException {
    ConcurrentLinkedQueue<EspLoad.Delivery> queue = new ConcurrentLinkedQueue<>(deliveries);
    List<Thread> senders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Thread sender = new Thread(() -> {
        for (EspLoad.Delivery d; (d = queue.poll()) != null; ) {
          esp.send(port, d);
        }
      }, "handler-crash-sender-" + i);
      sender.start();
      senders.add(sender);
    }
    for (Thread sender : senders) {
      sender.join();
    }
  }

  /**
   * Waits until the handlers have drained part of what is left — about a share of it for each
   * fault still to come — and a handler transaction is at work on the outbox at that moment.
   * False when the outbox ran empty first.
   */
  private boolean awaitClaimMidDrain(int faultsLeft) throws SQLException {
    long left = outbox()[0];
    long share = Math.max(1, left / (faultsLeft + 1));
    long target = left - 1 - (long) (random.nextDouble() * share);
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      long[] now = outbox();
      if (now[0] == 0) {
        return false;
      }
      if (now[0] <= target && now[1] > 0) {
        return true;
      }
      if (!handlers.isAlive()) {
        throw new AssertionError("the gateway exited; log:\n" + handlers.logTail());
      }
      GatewayProcess.sleep(2);
    }
    throw new AssertionError("the handlers did not drain the outbox to " + target + " rows; log:\n" + handlers.logTail());
  }

  /**
   * Outbox rows, and the transactions other than this one that hold it in a claim (FOR UPDATE) or
   * are writing to it (deleting handled rows) — with no ingest running, only handler transactions.
   */
  private long[] outbox() throws SQLException {
    try (Statement s = monitor.createStatement(); ResultSet rows = s.executeQuery("SELECT (SELECT count(*) FROM outbox),"
        + " (SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND relation = 'outbox'::regclass"
        + " AND mode IN ('RowShareLock', 'RowExclusiveLock') AND pid <> pg_backend_pid())")) {
      rows.next();
      return new long[] {rows.getLong(1), rows.getLong(2)};
    }
  }

  private void awaitOutboxEmpty(Duration limit) throws SQLException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (outbox()[0] > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(outbox()[0] + " outbox rows left after " + limit + "; log:\n" + handlers.logTail());
      }
      GatewayProcess.sleep(100);
    }
  }

  /**
   * The forwarding side: the events the destination takes (by gateway id), those with a
   * {@code deliveries} row (read first: a row is deleted only after the destination answered, so
   * nothing can slip between the two reads), those the destination received, and how many
   * arrived more than once (allowed: forwarding is at-least-once; a kill between the answer and
   * the delete sends again).
   */
  private record Forwarding(Set<Long> expected, Set<Long> pending, Map<Long, Integer> received, Set<String> strangers) {
    long resent() {
      return received.values().stream().filter(n -> n > 1).count();
    }
  }

  private Forwarding forwarding() {
    Set<Long> expected = new HashSet<>();
    Map<Long, String> typeById = new HashMap<>();
    db.query("SELECT id, type FROM events WHERE source = '" + SOURCE + "'", rows -> {
      while (rows.next()) {
        typeById.put(rows.getLong(1), rows.getString(2));
        if (FORWARDED_TYPES.contains(rows.getString(2))) {
          expected.add(rows.getLong(1));
        }
      }
    });
    Set<Long> pending = new HashSet<>();
    Set<String> strangers = new HashSet<>();
    db.query("SELECT event_id, destination, state FROM deliveries", rows -> {
      while (rows.next()) {
        pending.add(rows.getLong(1));
        if (!DESTINATION.equals(rows.getString(2)) || !expected.contains(rows.getLong(1)) || !"pending".equals(rows.getString(3))) {
          strangers.add("row " + rows.getLong(1) + " " + rows.getString(2) + " " + rows.getString(3));
        }
      }
    });
    Map<Long, Integer> received = destination.received();
    received.keySet().stream().filter(id -> !expected.contains(id))
        .forEach(id -> strangers.add("forwarded " + id + " of type " + typeById.get(id)));
    return new Forwarding(expected, pending, received, strangers);
  }
}
