package io.emailgateway.handler;

import static io.emailgateway.handler.HandlerTestKit.await;
import static io.emailgateway.handler.HandlerTestKit.hardBounce;
import static io.emailgateway.handler.HandlerTestKit.minutes;
import static io.emailgateway.handler.HandlerTestKit.of;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.config.HandlerSettings;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two gateway instances (each its own Vert.x, pool and handler verticle) on one database share
 * the outbox through SKIP LOCKED claims: every event is handled exactly once between them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedOutboxIT {
  private static final int BATCHES = 240;
  private HandlerTestKit kit;

  @BeforeAll
  void start() throws Exception {
    kit = new HandlerTestKit(getClass());
    await(kit.pool.query("CREATE TABLE handled_log (event_id bigint NOT NULL, instance text NOT NULL)").execute());
  }

  @AfterAll
  void stop() throws Exception {
    kit.close();
  }

  @Test
  void twoInstancesShareTheOutboxAndNoEventIsHandledTwice() throws Exception {
    int opens = 0;
    for (int b = 0; b < BATCHES; b++) {
      List<EmailEvent> events = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        events.add(of(EventType.OPENED, "reader" + (b * 5 + i) % 7 + "@example.com", minutes(i)));
        opens++;
      }
      events.add(hardBounce("bounce" + b % 3 + "@example.com", minutes(b)));
      kit.store(events.toArray(EmailEvent[]::new));
    }
    HandlerSettings settings = HandlerTestKit.settings(new JsonObject().put("batch_rows", 2).put("poll_interval", "50ms"));
    Vertx other = Vertx.vertx();
    Pool otherPool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
        .connectingTo(PgConnectOptions.fromUri(kit.db.uri())).using(other).build();
    try {
      deploy(kit.vertx, kit.pool, settings, "a");
      deploy(other, otherPool, settings, "b");
      awaitOutboxEmpty();
    } finally {
      other.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    assertThat(kit.db.count("SELECT count(*) FROM handled_log")).isEqualTo(BATCHES * 6L);
    assertThat(kit.db.count("SELECT count(DISTINCT event_id) FROM handled_log")).isEqualTo(BATCHES * 6L);
    assertThat(kit.db.count("SELECT count(DISTINCT instance) FROM handled_log")).as("both instances took work").isEqualTo(2);
    assertThat(kit.db.count("SELECT sum(opens) FROM engagement")).isEqualTo(opens);
    assertThat(kit.db.count("SELECT sum(count) FROM suppressions WHERE reason = 'hard_bounce'")).isEqualTo(BATCHES);
    assertThat(kit.db.count("SELECT sum(event_count) FROM messages")).isEqualTo(BATCHES * 6L);
  }

  private void deploy(Vertx vertx, Pool pool, HandlerSettings settings, String instance) {
    List<EventHandler> handlers = new ArrayList<>(HandlersVerticle.builtIn(settings, List.of()));
    handlers.add(new RecordingHandler(instance));
    HandlerMetrics metrics = new HandlerMetrics(new SimpleMeterRegistry());
    OutboxProcessor processor = new OutboxProcessor(pool, handlers, settings, metrics);
    await(vertx.deployVerticle(new HandlerVerticle(processor, settings, metrics)));
  }

  private void awaitOutboxEmpty() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 120_000;
    while (kit.db.count("SELECT count(*) FROM outbox") > 0) {
      assertThat(System.currentTimeMillis()).as("outbox drained in time").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** Writes which instance handled which event, in the handler transaction, and makes each transaction last a moment so they overlap. */
  private record RecordingHandler(String instance) implements EventHandler {
    @Override
    public String name() {
      return "recording";
    }

    @Override
    public Future<Void> apply(SqlConnection tx, EventBatch batch) {
      return tx.preparedQuery("INSERT INTO handled_log SELECT unnest($1::bigint[]), $2 FROM pg_sleep(0.005)")
          .execute(Tuple.of(batch.ids(), instance)).mapEmpty();
    }
  }
}
