package io.emailgateway.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.handler.forward.Receiver;
import io.emailgateway.store.Addresses;
import io.emailgateway.store.EventStore;
import io.emailgateway.store.PersistRequest;
import io.emailgateway.testing.Http;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The handlers inside a running gateway: events committed by its persist verticles (the ingest
 * path's event-bus request) are handled and forwarded; rows committed behind its back are found
 * by the poll; the management port exports the handler, outbox, forwarding and deliverability meters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandlersGatewayIT {
  private final Receiver receiver = new Receiver();
  private TestDatabase db;
  private TestGateway gateway;

  @BeforeAll
  void start() throws Exception {
    receiver.start();
    db = new TestDatabase(getClass());
    gateway = TestGateway.start(db.uri(), new JsonArray(), new JsonObject()
        .put("handlers", new JsonObject().put("poll_interval", "200ms").put("metrics_interval", "200ms")
            .put("deliverability", new JsonObject().put("metrics_top_pairs", 1)))
        .put("destinations", new JsonArray().add(new JsonObject().put("id", "crm")
            .put("url", "http://127.0.0.1:" + Receiver.PORT + "/ok").put("signing_secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .put("types", new JsonArray().add("bounced")))));
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    db.close();
    receiver.close();
  }

  @Test
  void eventsCommittedByTheGatewayAreHandledForwardedAndMetered() {
    EmailEvent bounce = event("sg", EventType.BOUNCED, "news@mail.shop.example", "gone@example.com");
    persistThroughTheGateway(List.of(bounce, event("sg", EventType.DELIVERED, "news@mail.shop.example", "ok1@example.com"),
        event("sg", EventType.DELIVERED, "news@mail.shop.example", "ok2@example.com"),
        event("sg", EventType.DELIVERED, "info@small.example", "ok3@example.com")));

    awaitCount("SELECT count(*) FROM suppressions WHERE address = 'gone@example.com' AND active", 1);
    awaitCount("SELECT count(*) FROM outbox", 0);
    String bounceId = String.valueOf(db.count("SELECT id FROM events WHERE event_key = '" + bounce.eventKey() + "'"));
    assertThat(receiver.awaitRequests("/ok", bounceId, 1)).hasSize(1);
    awaitCount("SELECT count(*) FROM deliveries", 0);

    // The lag monitor reads the outbox, then the deliverability buckets, so one refresh can see the
    // new counts yet an outbox read just before the handler's commit: wait for the counts, then for
    // a refresh that also sees the empty outbox (the counts stay).
    awaitMetric("gateway_deliverability_events{domain=\"mail.shop.example\",source=\"sg\",type=\"delivered\"} 2.0");
    String metrics = awaitMetric("gateway_outbox_rows 0.0");
    assertThat(metrics).contains("gateway_deliverability_events{domain=\"_other\",source=\"sg\",type=\"delivered\"} 1.0")
        .contains("gateway_deliverability_bounce_rate{domain=\"mail.shop.example\",source=\"sg\"} 0.333")
        .contains("gateway_outbox_rows 0.0").contains("gateway_outbox_oldest_age_seconds 0.0")
        .contains("gateway_handler_dead_events 0.0").contains("gateway_handler_events_total{outcome=\"applied\"} 4.0")
        .contains("gateway_handler_batch_duration_seconds_count").contains("gateway_handler_duration_seconds_count{handler=\"suppression\"}")
        .contains("gateway_forward_attempts_total{destination=\"crm\",outcome=\"delivered\"} 1.0")
        .contains("gateway_forward_in_flight{destination=\"crm\"} 0.0");
  }

  @Test
  void rowsCommittedWhileNoNoticeWasSentAreFoundByThePoll() {
    Vertx vertx = Vertx.vertx();
    try {
      EventStore behindItsBack = new EventStore(new io.emailgateway.store.BoundedConnection(vertx,
          PgConnectOptions.fromUri(db.uri())), java.time.Duration.ofSeconds(10));
      HandlerTestKit.await(behindItsBack.insert(List.of(new PersistRequest(List.of(
          event("sg", EventType.OPENED, "news@mail.shop.example", "quiet@example.com"))))));
    } finally {
      vertx.close();
    }

    awaitCount("SELECT coalesce(sum(opens), 0) FROM engagement WHERE recipient = 'quiet@example.com'", 1);
  }

  private void persistThroughTheGateway(List<EmailEvent> events) {
    HandlerTestKit.await(gateway.vertx().eventBus().request(Addresses.EVENTS_PERSIST, new PersistRequest(events)));
  }

  private static EmailEvent event(String source, EventType type, String sender, String recipient) {
    EmailEvent.Builder builder = EmailEvent.builder(source, "sendgrid").type(type).recipient(recipient)
        .occurredAt(Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MILLIS))
        .eventKey(UUID.randomUUID().toString()).sender(sender).messageId("gw-" + recipient)
        .espEvent(new JsonObject().put("event", type.wireName()));
    return (type == EventType.BOUNCED ? builder.bounceType(BounceType.HARD) : builder).build();
  }

  private void awaitCount(String sql, long expected) {
    long deadline = System.currentTimeMillis() + 20_000;
    while (db.count(sql) != expected) {
      assertThat(System.currentTimeMillis()).as(sql).isLessThan(deadline);
      sleep(50);
    }
  }

  private String awaitMetric(String line) {
    long deadline = System.currentTimeMillis() + 20_000;
    String body = Http.get(gateway.managementPort(), "/metrics").body();
    while (!body.contains(line)) {
      assertThat(System.currentTimeMillis()).as("metric " + line).isLessThan(deadline);
      sleep(100);
      body = Http.get(gateway.managementPort(), "/metrics").body();
    }
    return body;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
