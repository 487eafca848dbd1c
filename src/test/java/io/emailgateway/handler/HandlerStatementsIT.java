package io.emailgateway.handler;

import static io.emailgateway.handler.HandlerTestKit.await;
import static io.emailgateway.handler.HandlerTestKit.minutes;
import static io.emailgateway.handler.HandlerTestKit.of;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.config.DestinationConfig;
import io.emailgateway.config.GatewayConfig;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Each handler sends statements only for the events it acts on: an event of another type costs
 * it no lookup in {@code events}. Checked against PostgreSQL itself: the handler runs inside a
 * transaction that an earlier error has aborted, where any statement it sends fails (25P02) and
 * one that sends nothing succeeds. Also: the batch reads each event's type and source as stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandlerStatementsIT {
  private static final String IN_FAILED_TRANSACTION = "25P02";

  private HandlerTestKit kit;

  @BeforeAll
  void start() throws Exception {
    kit = new HandlerTestKit(getClass());
  }

  @AfterAll
  void stop() throws Exception {
    kit.close();
  }

  @Test
  void theBatchHoldsEachStoredEventWithItsTypeAndSourceAndDropsIdsTheTableDoesNotHold() {
    EmailEvent delivered = of(EventType.DELIVERED, "a@example.com", minutes(1));
    EmailEvent opened = HandlerTestKit.event("other-source", EventType.OPENED, "b@example.com", minutes(2)).build();
    kit.store(delivered, opened);
    long deliveredId = kit.eventId(delivered);
    long openedId = kit.eventId(opened);

    EventBatch batch = await(kit.pool.withConnection(conn ->
        EventBatch.read(conn, List.of(openedId, 987_654_321L, deliveredId))));

    assertThat(batch.ids()).containsExactly(Math.min(deliveredId, openedId), Math.max(deliveredId, openedId));
    assertThat(batch.idsOf(EnumSet.of(EventType.OPENED))).containsExactly(openedId);
    assertThat(batch.idsWhere((type, source) -> source.equals("other-source") && type.equals("opened")))
        .containsExactly(openedId);
    assertThat(batch.idsWhere((type, source) -> type.equals("delivered") && !source.equals("other-source")))
        .containsExactly(deliveredId);
  }

  @Test
  void suppressionActsOnBouncesComplaintsUnsubscribesRejectsAndResubscribesOnly() {
    assertStatementsOnlyFor(new SuppressionHandler(HandlerTestKit.defaults().suppression()),
        EnumSet.of(EventType.BOUNCED, EventType.COMPLAINED, EventType.UNSUBSCRIBED, EventType.REJECTED,
            EventType.SUBSCRIBED));
  }

  @Test
  void messageStatusActsOnEveryRankedType() {
    assertStatementsOnlyFor(new MessageStatusHandler(),
        EnumSet.complementOf(EnumSet.of(EventType.SUBSCRIBED, EventType.UNKNOWN)));
  }

  @Test
  void engagementActsOnOpensAndClicksOnly() {
    assertStatementsOnlyFor(new EngagementHandler(), EnumSet.of(EventType.OPENED, EventType.CLICKED));
  }

  @Test
  void deliverabilityActsOnDeliveriesBouncesAndComplaintsOnly() {
    assertStatementsOnlyFor(new DeliverabilityHandler(),
        EnumSet.of(EventType.DELIVERED, EventType.BOUNCED, EventType.COMPLAINED));
  }

  @Test
  void forwardingActsOnlyOnEventsADestinationAccepts() {
    List<DestinationConfig> destinations = GatewayConfig.from(new JsonObject().put("destinations", new JsonArray()
        .add(new JsonObject().put("id", "crm").put("url", "http://127.0.0.1:9/hook")
            .put("signing_secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .put("types", new JsonArray().add("opened")).put("sources", new JsonArray().add("mg")))))
        .destinations();
    DeliveryQueueHandler forwarding = new DeliveryQueueHandler(destinations);

    assertThat(sendsStatements(forwarding, batch(new String[] {"opened", "delivered"}, new String[] {"sg", "mg"})))
        .as("an opened event from another source and a delivered one from mg").isFalse();
    assertThat(sendsStatements(forwarding, batch(new String[] {"delivered", "opened"}, new String[] {"mg", "mg"})))
        .as("an opened event from mg").isTrue();
    assertThat(sendsStatements(new DeliveryQueueHandler(List.of()), batch(new String[] {"opened"}, new String[] {"mg"})))
        .as("no destinations").isFalse();
  }

  private void assertStatementsOnlyFor(EventHandler handler, Set<EventType> actsOn) {
    List<EventType> sent = new ArrayList<>();
    for (EventType type : EventType.values()) {
      if (sendsStatements(handler, batch(new String[] {type.wireName()}, new String[] {"sg"}))) {
        sent.add(type);
      }
    }
    assertThat(sent).as("types for which %s sent a statement", handler.name()).containsExactlyInAnyOrderElementsOf(actsOn);
    List<String> othersFirst = new ArrayList<>();
    for (EventType type : EnumSet.complementOf(EnumSet.copyOf(actsOn))) {
      othersFirst.add(type.wireName());
    }
    othersFirst.add(actsOn.iterator().next().wireName());
    assertThat(sendsStatements(handler, batch(othersFirst.toArray(String[]::new),
        othersFirst.stream().map(t -> "sg").toArray(String[]::new))))
        .as("one event it acts on among the others").isTrue();
  }

  private static EventBatch batch(String[] types, String[] sources) {
    Long[] ids = new Long[types.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1_000_000L + i;
    }
    return EventBatch.of(ids, types, sources);
  }

  /** Applies the handler in an aborted transaction: true when PostgreSQL refused a statement it sent. */
  private boolean sendsStatements(EventHandler handler, EventBatch batch) {
    Function<SqlConnection, Future<Boolean>> attempt = conn -> conn.query("BEGIN").execute()
        .compose(v -> conn.query("SELECT 1 / 0").execute().transform(broken -> {
          assertThat(broken.failed()).as("the transaction is aborted").isTrue();
          return handler.apply(conn, batch);
        }))
        .transform(applied -> conn.query("ROLLBACK").execute().map(v -> refusedAsAborted(applied.cause())));
    return await(kit.pool.withConnection(attempt));
  }

  private static boolean refusedAsAborted(Throwable error) {
    if (error == null) {
      return false;
    }
    assertThat(error).isInstanceOf(PgException.class);
    assertThat(((PgException) error).getSqlState()).isEqualTo(IN_FAILED_TRANSACTION);
    return true;
  }
}
