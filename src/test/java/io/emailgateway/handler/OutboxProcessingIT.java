package io.emailgateway.handler;

import static io.emailgateway.handler.HandlerTestKit.await;
import static io.emailgateway.handler.HandlerTestKit.event;
import static io.emailgateway.handler.HandlerTestKit.minutes;
import static io.emailgateway.handler.HandlerTestKit.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.config.HandlerSettings;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.store.Addresses;
import io.emailgateway.testing.TcpProxy;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The outbox life cycle against a real PostgreSQL reached through a TCP proxy the test can cut:
 * exactly-once effects across a lost connection, poison events retried then parked without
 * holding up the rest, replay of parked events, and claims that never exceed the event cap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxProcessingIT {
  private TcpProxy proxy;
  private HandlerTestKit kit;
  private final AtomicBoolean cutNextTime = new AtomicBoolean();
  private final AtomicBoolean poisonArmed = new AtomicBoolean(true);

  @BeforeAll
  void start() throws Exception {
    kit = new HandlerTestKit(getClass(), db -> {
      try {
        proxy = new TcpProxy(db.host(), db.port());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return db.uri().replace(db.host() + ":" + db.port(), "127.0.0.1:" + proxy.port());
    });
  }

  @AfterAll
  void stop() throws Exception {
    kit.close();
    proxy.close();
  }

  @BeforeEach
  void emptyOutbox() {
    assertThat(kit.db.count("SELECT count(*) FROM outbox")).isZero();
  }

  @Test
  void aTransactionCutOffAfterItsEffectsLeavesNoneAndTheRetryAppliesEachEventOnce() {
    OutboxProcessor processor = kit.processor(HandlerTestKit.defaults(), withLast(new CutTheLinkOnce()));
    kit.store(of(EventType.OPENED, "cut@example.com", minutes(1)), of(EventType.OPENED, "cut@example.com", minutes(2)),
        of(EventType.CLICKED, "cut@example.com", minutes(3)), hardBounceFor("cut@example.com"),
        event("cut-source", EventType.DELIVERED, "cut@example.com", minutes(0)).build());
    cutNextTime.set(true);

    assertThatThrownBy(() -> await(processor.processOnce())).isInstanceOf(IllegalStateException.class);
    proxy.restore();
    assertThat(kit.db.count("SELECT count(*) FROM engagement WHERE recipient = 'cut@example.com'")).isZero();
    assertThat(kit.db.count("SELECT count(*) FROM outbox")).isEqualTo(1);

    assertThat(drainRetryingAfterOutage(processor)).isEqualTo(5);

    assertThat(kit.db.count("SELECT opens * 10 + clicks FROM engagement WHERE recipient = 'cut@example.com'")).isEqualTo(21);
    assertThat(kit.db.count("SELECT count FROM suppressions WHERE address = 'cut@example.com'")).isEqualTo(1);
    assertThat(kit.db.count("SELECT event_count FROM messages WHERE recipient = 'cut@example.com'")).isEqualTo(5);
    assertThat(kit.db.count("SELECT sum(delivered) * 10 + sum(bounced) FROM deliverability WHERE source = 'cut-source'"))
        .isEqualTo(11);
    assertThat(kit.db.count("SELECT count(*) FROM outbox")).isZero();
  }

  @Test
  void aPoisonEventIsRetriedWithBackoffThenParkedWhileEveryOtherEventIsApplied() throws Exception {
    HandlerSettings settings = HandlerTestKit.settings(new JsonObject().put("max_attempts", 3)
        .put("retry_initial", "200ms").put("retry_max", "200ms"));
    OutboxProcessor processor = kit.processor(settings, withLast(new DivideByZeroOnPoison()));
    List<EmailEvent> batch = new ArrayList<>();
    for (int i = 0; i < 19; i++) {
      batch.add(of(EventType.OPENED, "neighbour@example.com", minutes(i)));
    }
    batch.add(10, event(EventType.OPENED, "neighbour@example.com", minutes(30)).eventKey("poison-1").build());
    kit.store(batch.toArray(EmailEvent[]::new));
    poisonArmed.set(true);

    OutboxProcessor.Outcome first = await(processor.processOnce());

    assertThat(first.events()).isEqualTo(20);
    assertThat(first.retried()).isEqualTo(1);
    assertThat(kit.db.count("SELECT opens FROM engagement WHERE recipient = 'neighbour@example.com'")).isEqualTo(19);
    assertThat(kit.db.count("SELECT count(*) FROM outbox WHERE attempts = 1 AND next_attempt_at >= created_at + interval '100 ms' "
        + "AND last_error LIKE '22012 %' AND event_ids = ARRAY[(SELECT id FROM events WHERE event_key = 'poison-1')]"))
        .isEqualTo(1);

    kit.store(of(EventType.OPENED, "neighbour@example.com", minutes(40)));
    await(processor.processOnce());
    assertThat(kit.db.count("SELECT opens FROM engagement WHERE recipient = 'neighbour@example.com'"))
        .as("the next batch does not wait for the poison, claimed with it or not").isEqualTo(20);

    awaitParked(processor, "poison-1");
    assertThat(kit.db.count("SELECT attempts FROM handler_dead_events")).isEqualTo(3);
    assertThat(kit.db.count("SELECT count(*) FROM outbox")).isZero();
    assertThat(kit.db.count("SELECT opens FROM engagement WHERE recipient = 'neighbour@example.com'")).isEqualTo(20);

    poisonArmed.set(false);
    assertThat(kit.db.count("SELECT replay_dead_events()")).isEqualTo(1);
    kit.drain(processor);
    assertThat(kit.db.count("SELECT opens FROM engagement WHERE recipient = 'neighbour@example.com'")).isEqualTo(21);
    assertThat(kit.db.count("SELECT count(*) FROM handler_dead_events")).isZero();
  }

  @Test
  void theHandlerVerticleBacksOffWhileTheDatabaseIsUnreachableAndCatchesUpAfterwards() throws Exception {
    kit.store(of(EventType.OPENED, "outage@example.com", minutes(1)), of(EventType.OPENED, "outage@example.com", minutes(2)));
    HandlerSettings settings = HandlerTestKit.settings(new JsonObject().put("poll_interval", "20ms")
        .put("retry_initial", "300ms").put("retry_max", "300ms"));
    proxy.cut();
    String deployment = await(kit.vertx.deployVerticle(new HandlerVerticle(kit.processor(settings), settings, kit.metrics)));
    Thread.sleep(1000);
    double failures = kit.registry.counter("gateway.handler.failures", "reason", "unavailable").count();
    proxy.restore();

    assertThat(failures).as("retries spaced by the backoff, not by the 20 ms poll").isBetween(2.0, 10.0);
    kit.awaitCount("SELECT coalesce(sum(opens), 0) FROM engagement WHERE recipient = 'outage@example.com'", 2);
    kit.awaitCount("SELECT count(*) FROM outbox", 0);
    await(kit.vertx.undeploy(deployment));
  }

  @Test
  void handlersPutTheirWorkOffWhileIngestIsBehindAndCatchUpOnTheNextNoticeOnceItIsNot() throws Exception {
    kit.store(of(EventType.OPENED, "burst@example.com", minutes(1)), of(EventType.CLICKED, "burst@example.com", minutes(2)));
    // A poll far away: whatever runs the transaction after the release is the stored notice.
    HandlerSettings settings = HandlerTestKit.settings(new JsonObject().put("poll_interval", "30s")
        .put("yield_to_ingest_after", "100ms"));
    AtomicReference<Duration> ingestBehind = new AtomicReference<>(Duration.ofSeconds(5));
    String deployment = await(kit.vertx.deployVerticle(
        new HandlerVerticle(kit.processor(settings), settings, kit.metrics, ingestBehind::get)));
    kit.vertx.eventBus().publish(Addresses.EVENTS_STORED, 1);
    Thread.sleep(800);

    assertThat(kit.db.count("SELECT count(*) FROM outbox")).as("put off while ingest is behind").isEqualTo(1);
    assertThat(kit.registry.counter("gateway.handler.yields").count()).isGreaterThanOrEqualTo(2);

    ingestBehind.set(Duration.ofMillis(20));
    kit.vertx.eventBus().publish(Addresses.EVENTS_STORED, 1);
    kit.awaitCount("SELECT count(*) FROM outbox", 0);
    assertThat(kit.db.count("SELECT opens + clicks FROM engagement WHERE recipient = 'burst@example.com'")).isEqualTo(2);
    await(kit.vertx.undeploy(deployment));
  }

  @Test
  void aSustainedIngestBacklogPutsHandlersOffForAtMostOnePollInterval() throws Exception {
    kit.store(of(EventType.OPENED, "starved@example.com", minutes(1)));
    HandlerSettings settings = HandlerTestKit.settings(new JsonObject().put("poll_interval", "1s")
        .put("yield_to_ingest_after", "100ms"));
    String deployment = await(kit.vertx.deployVerticle(
        new HandlerVerticle(kit.processor(settings), settings, kit.metrics, () -> Duration.ofMinutes(1))));

    kit.awaitCount("SELECT count(*) FROM outbox", 0);
    assertThat(kit.db.count("SELECT opens FROM engagement WHERE recipient = 'starved@example.com'")).isEqualTo(1);
    await(kit.vertx.undeploy(deployment));
  }

  @Test
  void aClaimStopsAtMaxBatchEventsButAlwaysTakesAtLeastOneRow() {
    OutboxProcessor processor = kit.processor(HandlerTestKit.settings(new JsonObject().put("max_batch_events", 15)));
    for (int row = 0; row < 3; row++) {
      List<EmailEvent> events = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        events.add(of(EventType.OPENED, "capped@example.com", minutes(i)));
      }
      kit.store(events.toArray(EmailEvent[]::new));
    }

    List<Integer> perTransaction = new ArrayList<>();
    for (OutboxProcessor.Outcome o = await(processor.processOnce()); o.rows() > 0; o = await(processor.processOnce())) {
      perTransaction.add(o.events());
    }

    assertThat(perTransaction).containsExactly(10, 10, 10);
    assertThat(kit.db.count("SELECT opens FROM engagement WHERE recipient = 'capped@example.com'")).isEqualTo(30);
  }

  private int drainRetryingAfterOutage(OutboxProcessor processor) {
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        return kit.drain(processor);
      } catch (IllegalStateException poolStillReconnecting) {
        sleep(100);
      }
    }
    throw new AssertionError("outbox not drained after the outage");
  }

  private void awaitParked(OutboxProcessor processor, String eventKey) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (kit.db.count("SELECT count(*) FROM handler_dead_events d JOIN events e ON e.id = d.event_id "
        + "WHERE e.event_key = '" + eventKey + "'") == 0) {
      assertThat(System.currentTimeMillis()).as("parked in time").isLessThan(deadline);
      sleep(50);
      await(processor.processOnce());
    }
  }

  private List<EventHandler> withLast(EventHandler extra) {
    List<EventHandler> handlers = new ArrayList<>(HandlersVerticle.builtIn(HandlerTestKit.defaults(), List.of()));
    handlers.add(extra);
    return handlers;
  }

  private static EmailEvent hardBounceFor(String recipient) {
    return event("cut-source", EventType.BOUNCED, recipient, minutes(4)).bounceType(io.emailgateway.event.BounceType.HARD)
        .build();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** After the other handlers ran in the transaction, the network link to PostgreSQL drops. */
  private final class CutTheLinkOnce implements EventHandler {
    @Override
    public String name() {
      return "cut";
    }

    @Override
    public Future<Void> apply(SqlConnection tx, EventBatch batch) {
      if (cutNextTime.compareAndSet(true, false)) {
        proxy.cut();
        return tx.query("SELECT 1").execute().mapEmpty();
      }
      return Future.succeededFuture();
    }
  }

  /** A data-dependent failure, as a constraint violation or a bad value would be: only batches holding the poison fail. */
  private final class DivideByZeroOnPoison implements EventHandler {
    @Override
    public String name() {
      return "poison";
    }

    @Override
    public Future<Void> apply(SqlConnection tx, EventBatch batch) {
      if (!poisonArmed.get()) {
        return Future.succeededFuture();
      }
      return tx.preparedQuery("SELECT 1 / (1 - count(*) FILTER (WHERE event_key LIKE 'poison-%'))::int "
          + "FROM events WHERE id = ANY ($1)").execute(Tuple.of(batch.ids())).mapEmpty();
    }
  }
}
