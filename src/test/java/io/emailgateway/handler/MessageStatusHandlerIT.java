package io.emailgateway.handler;

import static io.emailgateway.handler.HandlerTestKit.event;
import static io.emailgateway.handler.HandlerTestKit.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Message status per (message_id, recipient) from event sequences that arrive out of order. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageStatusHandlerIT {
  private HandlerTestKit kit;
  private OutboxProcessor processor;

  @BeforeAll
  void start() throws Exception {
    kit = new HandlerTestKit(getClass());
    processor = kit.processor(HandlerTestKit.defaults());
  }

  @AfterAll
  void stop() throws Exception {
    kit.close();
  }

  @Test
  void deliveredArrivingAfterTheLaterBounceLeavesTheMessageBounced() {
    EmailEvent bounced = message("m-async-bounce", EventType.BOUNCED, minutes(5));
    kit.storeAndHandleOneByOne(processor, List.of(bounced, message("m-async-bounce", EventType.DELIVERED, minutes(1))));

    assertThat(status("m-async-bounce")).isEqualTo("bounced@" + minutes(5) + "#" + kit.eventId(bounced) + " x2");
  }

  @Test
  void deliveredThatHappenedAfterTheBounceIsTheOutcome() {
    EmailEvent delivered = message("m-retried", EventType.DELIVERED, minutes(9));
    kit.storeAndHandleOneByOne(processor, List.of(delivered, message("m-retried", EventType.BOUNCED, minutes(2))));

    assertThat(status("m-retried")).isEqualTo("delivered@" + minutes(9) + "#" + kit.eventId(delivered) + " x2");
  }

  @Test
  void deferredAfterDeliveredNeverTakesTheMessageBack() {
    EmailEvent delivered = message("m-deferred-late", EventType.DELIVERED, minutes(3));
    kit.storeAndHandleOneByOne(processor, List.of(message("m-deferred-late", EventType.SENT, minutes(1)), delivered,
        message("m-deferred-late", EventType.DEFERRED, minutes(8))));

    assertThat(status("m-deferred-late")).isEqualTo("delivered@" + minutes(3) + "#" + kit.eventId(delivered) + " x3");
  }

  @Test
  void openedBeforeItsDeliveredStaysOpenedAndTheTimeSpanCoversBoth() {
    EmailEvent opened = message("m-open-first", EventType.OPENED, minutes(7));
    kit.storeAndHandleOneByOne(processor, List.of(opened, message("m-open-first", EventType.DELIVERED, minutes(4))));

    assertThat(status("m-open-first")).isEqualTo("opened@" + minutes(7) + "#" + kit.eventId(opened) + " x2");
    kit.db.query("SELECT first_event_at, last_event_at, sender, subject FROM messages WHERE message_id = 'm-open-first'",
        rows -> {
          rows.next();
          assertThat(rows.getTimestamp(1).toInstant()).isEqualTo(minutes(4));
          assertThat(rows.getTimestamp(2).toInstant()).isEqualTo(minutes(7));
          assertThat(rows.getString(3)).isEqualTo("News <news@mail.shop.example>");
          assertThat(rows.getString(4)).isEqualTo("Your order");
        });
  }

  @Test
  void complaintOutranksLaterClicksAndResubscribeSaysNothingAboutTheMessage() {
    EmailEvent complaint = message("m-complaint", EventType.COMPLAINED, minutes(6));
    kit.storeAndHandleOneByOne(processor, List.of(message("m-complaint", EventType.DELIVERED, minutes(1)), complaint,
        message("m-complaint", EventType.CLICKED, minutes(9)), message("m-complaint", EventType.SUBSCRIBED, minutes(10))));

    assertThat(status("m-complaint")).isEqualTo("complained@" + minutes(6) + "#" + kit.eventId(complaint) + " x3");
  }

  /**
   * All 120 arrival orders of one message's five events, each order its own message: batch k
   * carries the k-th arrival of every order and is handled in its own transaction, so each
   * message sees its events in its own order. All of them, and all five in one batch, end the same.
   */
  @Test
  void everyArrivalOrderOfTheSameEventsGivesTheSameStatus() {
    EventType[] types = {EventType.SENT, EventType.DEFERRED, EventType.DELIVERED, EventType.BOUNCED, EventType.DEFERRED};
    List<int[]> orders = permutations(new int[] {0, 1, 2, 3, 4});
    List<List<EmailEvent>> arrivals = new ArrayList<>();
    for (int k = 0; k < types.length; k++) {
      arrivals.add(new ArrayList<>());
    }
    for (int p = 0; p < orders.size(); p++) {
      for (int k = 0; k < types.length; k++) {
        int which = orders.get(p)[k];
        arrivals.get(k).add(message("m-perm-" + p, types[which], minutes(which)));
      }
    }
    arrivals.forEach(batch -> kit.store(batch.toArray(EmailEvent[]::new)));
    kit.store(java.util.stream.IntStream.range(0, 5).mapToObj(i -> message("m-perm-one-batch", types[i], minutes(i)))
        .toArray(EmailEvent[]::new));

    kit.drain(kit.processor(HandlerTestKit.settings(new io.vertx.core.json.JsonObject().put("batch_rows", 1))));

    List<String> outcomes = new ArrayList<>();
    kit.db.query("SELECT status, status_at, event_count, first_event_at, last_event_at, "
        + "(SELECT type FROM events WHERE id = status_event_id) FROM messages WHERE message_id LIKE 'm-perm-%'", rows -> {
          while (rows.next()) {
            outcomes.add(rows.getString(1) + "@" + rows.getTimestamp(2).toInstant() + " x" + rows.getInt(3) + " "
                + rows.getTimestamp(4).toInstant() + ".." + rows.getTimestamp(5).toInstant() + " by " + rows.getString(6));
          }
        });
    assertThat(outcomes).hasSize(121).containsOnly("bounced@" + minutes(3) + " x5 " + minutes(0) + ".." + minutes(4) + " by bounced");
  }

  @Test
  void timelineListsTheMessagesEventsInEventTime() {
    kit.storeAndHandleOneByOne(processor, List.of(message("m-timeline", EventType.OPENED, minutes(3)),
        message("m-timeline", EventType.SENT, minutes(1)), message("m-timeline", EventType.DELIVERED, minutes(2))));

    List<String> types = new ArrayList<>();
    kit.db.query("SELECT type FROM message_timeline WHERE message_id = 'm-timeline' ORDER BY occurred_at", rows -> {
      while (rows.next()) {
        types.add(rows.getString(1));
      }
    });
    assertThat(types).containsExactly("sent", "delivered", "opened");
  }

  private static EmailEvent message(String messageId, EventType type, Instant at) {
    EmailEvent.Builder builder = event(type, "reader@example.com", at).messageId(messageId);
    return (type == EventType.BOUNCED ? builder.bounceType(BounceType.HARD) : builder).build();
  }

  private String status(String messageId) {
    List<String> rows = new ArrayList<>();
    kit.db.query("SELECT status, status_at, status_event_id, event_count FROM messages WHERE message_id = '" + messageId
        + "' AND recipient = 'reader@example.com'", result -> {
          while (result.next()) {
            rows.add(result.getString(1) + "@" + result.getTimestamp(2).toInstant() + "#" + result.getLong(3) + " x"
                + result.getInt(4));
          }
        });
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  private static List<int[]> permutations(int[] items) {
    List<int[]> all = new ArrayList<>();
    permute(items, 0, all);
    return all;
  }

  private static void permute(int[] items, int from, List<int[]> all) {
    if (from == items.length) {
      all.add(items.clone());
      return;
    }
    for (int i = from; i < items.length; i++) {
      swap(items, from, i);
      permute(items, from + 1, all);
      swap(items, from, i);
    }
  }

  private static void swap(int[] items, int a, int b) {
    int t = items[a];
    items[a] = items[b];
    items[b] = t;
  }
}
