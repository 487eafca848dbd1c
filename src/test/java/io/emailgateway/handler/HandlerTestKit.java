package io.emailgateway.handler;

import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.HandlerSettings;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.store.DatabaseBootstrap;
import io.emailgateway.store.EventStore;
import io.emailgateway.store.PersistRequest;
import io.emailgateway.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A migrated database of one test class, a Vert.x PG pool on it, and the ingest path's own
 * {@link EventStore} to put events in: each {@link #store} call is one committed batch, so one
 * outbox row, exactly as the persist verticles write them. Handlers are then driven one
 * transaction at a time, so tests control the order in which batches are handled.
 */
public final class HandlerTestKit implements AutoCloseable {
  static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  public final TestDatabase db;
  public final Vertx vertx = Vertx.vertx();
  public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final HandlerMetrics metrics = new HandlerMetrics(registry);
  public final Pool pool;
  private final EventStore store;

  public HandlerTestKit(Class<?> owner) throws Exception {
    this(owner, null);
  }

  /** {@code throughUri}: connect the pool elsewhere (e.g. through a {@code TcpProxy}) than the database itself. */
  public HandlerTestKit(Class<?> owner, java.util.function.Function<TestDatabase, String> throughUri) throws Exception {
    db = new TestDatabase(owner);
    DatabaseBootstrap bootstrap = new DatabaseBootstrap(PgConnectOptions.fromUri(db.uri()));
    bootstrap.createDatabaseIfMissing();
    bootstrap.migrate();
    String uri = throughUri == null ? db.uri() : throughUri.apply(db);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(io.emailgateway.Gateway.poolOptions(PgConnectOptions.fromUri(uri).setCachePreparedStatements(true)))
        .using(vertx).build();
    store = new EventStore(new io.emailgateway.store.BoundedConnection(vertx, PgConnectOptions.fromUri(uri)),
        java.time.Duration.ofSeconds(10));
  }

  public static HandlerSettings settings(JsonObject handlers) {
    return HandlerSettings.from(new ConfigSection(handlers, "handlers"));
  }

  public static HandlerSettings defaults() {
    return settings(new JsonObject());
  }

  public OutboxProcessor processor(HandlerSettings settings) {
    return processor(settings, HandlersVerticle.builtIn(settings, List.of()));
  }

  public OutboxProcessor processor(HandlerSettings settings, List<EventHandler> handlers) {
    return new OutboxProcessor(pool, handlers, settings, metrics);
  }

  /** Stores the events as one committed batch (one outbox row). */
  public void store(EmailEvent... events) {
    await(store.insert(List.of(new PersistRequest(Arrays.asList(events)))));
  }

  /** Runs handler transactions until a claim comes back empty; returns the number of events handled. */
  public int drain(OutboxProcessor processor) {
    int events = 0;
    for (OutboxProcessor.Outcome outcome = await(processor.processOnce()); outcome.rows() > 0;
         outcome = await(processor.processOnce())) {
      events += outcome.events();
    }
    return events;
  }

  /** Stores and handles each event as its own batch, in the given order. */
  void storeAndHandleOneByOne(OutboxProcessor processor, List<EmailEvent> events) {
    for (EmailEvent event : events) {
      store(event);
      drain(processor);
    }
  }

  public long eventId(EmailEvent event) {
    return db.count("SELECT id FROM events WHERE event_key = '" + event.eventKey() + "'");
  }

  /** Waits (up to 20 s) until a count query gives {@code expected}. */
  public void awaitCount(String sql, long expected) {
    long deadline = System.currentTimeMillis() + 20_000;
    long actual = db.count(sql);
    while (actual != expected && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      actual = db.count(sql);
    }
    if (actual != expected) {
      throw new AssertionError(sql + ": expected " + expected + " within 20 s, got " + actual);
    }
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    db.close();
  }

  /** A realistic normalized event; the key is unique unless set. */
  static EmailEvent.Builder event(EventType type, String recipient, Instant at) {
    return event("sendgrid-main", type, recipient, at);
  }

  static EmailEvent.Builder event(String source, EventType type, String recipient, Instant at) {
    return EmailEvent.builder(source, "sendgrid").type(type).recipient(recipient).occurredAt(at)
        .eventKey(UUID.randomUUID().toString()).sender("News <news@mail.shop.example>")
        .messageId("msg-" + recipient).subject("Your order")
        .espEvent(new JsonObject().put("event", type.wireName()).put("email", recipient));
  }

  static EmailEvent hardBounce(String recipient, Instant at) {
    return event(EventType.BOUNCED, recipient, at).bounceType(BounceType.HARD)
        .mtaResponse("550 5.1.1 The email account that you tried to reach does not exist").build();
  }

  static EmailEvent softBounce(String recipient, Instant at) {
    return event(EventType.BOUNCED, recipient, at).bounceType(BounceType.SOFT)
        .mtaResponse("452 4.2.2 The email account that you tried to reach is over quota").build();
  }

  static EmailEvent rejected(String recipient, RejectReason reason, Instant at) {
    return event(EventType.REJECTED, recipient, at).rejectReason(reason).build();
  }

  static EmailEvent of(EventType type, String recipient, Instant at) {
    return event(type, recipient, at).build();
  }

  static Instant minutes(long n) {
    return T0.plusSeconds(60 * n);
  }
}
