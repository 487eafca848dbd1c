package io.emailgateway.handler;

import static io.emailgateway.handler.HandlerTestKit.T0;
import static io.emailgateway.handler.HandlerTestKit.event;
import static io.emailgateway.handler.HandlerTestKit.hardBounce;
import static io.emailgateway.handler.HandlerTestKit.minutes;
import static io.emailgateway.handler.HandlerTestKit.of;
import static io.emailgateway.handler.HandlerTestKit.rejected;
import static io.emailgateway.handler.HandlerTestKit.softBounce;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The suppression list built from realistic event sequences, in order and out of order. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SuppressionHandlerIT {
  private HandlerTestKit kit;
  private OutboxProcessor global;

  @BeforeAll
  void start() throws Exception {
    kit = new HandlerTestKit(getClass());
    global = kit.processor(HandlerTestKit.defaults());
  }

  @AfterAll
  void stop() throws Exception {
    kit.close();
  }

  @Test
  void hardBounceComplaintUnsubscribeAndInvalidRejectEachSuppressTheRecipientAtOnce() {
    EmailEvent bounce = hardBounce("gone@example.com", minutes(1));
    EmailEvent complaint = of(EventType.COMPLAINED, "angry@example.com", minutes(2));
    EmailEvent unsubscribe = of(EventType.UNSUBSCRIBED, "bye@example.com", minutes(3));
    EmailEvent invalid = rejected("not-an-address@example", RejectReason.INVALID, minutes(4));
    kit.store(bounce, complaint, unsubscribe, invalid);

    kit.drain(global);

    assertEntry("gone@example.com", "hard_bounce", 1, kit.eventId(bounce));
    assertEntry("angry@example.com", "complaint", 1, kit.eventId(complaint));
    assertEntry("bye@example.com", "unsubscribe", 1, kit.eventId(unsubscribe));
    assertEntry("not-an-address@example", "invalid", 1, kit.eventId(invalid));
    assertThat(suppressed("GONE@example.com")).isTrue();
    assertThat(kit.db.count("SELECT count(*) FROM outbox")).isZero();
  }

  @Test
  void deliveriesDeferralsSpamRejectsAndASingleSoftBounceSuppressNobody() {
    kit.store(of(EventType.DELIVERED, "fine@example.com", minutes(1)), of(EventType.DEFERRED, "fine@example.com", minutes(2)),
        rejected("fine@example.com", RejectReason.SPAM, minutes(3)), softBounce("fine@example.com", minutes(4)),
        of(EventType.OPENED, "fine@example.com", minutes(5)));

    kit.drain(global);

    assertThat(suppressed("fine@example.com")).isFalse();
    assertThat(kit.db.count("SELECT count(*) FROM suppressions WHERE address = 'fine@example.com'")).isZero();
  }

  @Test
  void repeatedHardBouncesKeepOneEntryWithEveryEventCountedAndTheEarliestAsCause() {
    EmailEvent second = hardBounce("twice@example.com", minutes(20));
    EmailEvent first = hardBounce("twice@example.com", minutes(10));
    EmailEvent third = hardBounce("twice@example.com", minutes(30));

    kit.storeAndHandleOneByOne(global, List.of(second, first, third));

    assertEntry("twice@example.com", "hard_bounce", 3, kit.eventId(first));
    kit.db.query("SELECT first_seen_at, last_seen_at FROM suppressions WHERE address = 'twice@example.com'", rows -> {
      rows.next();
      assertThat(rows.getTimestamp(1).toInstant()).isEqualTo(minutes(10));
      assertThat(rows.getTimestamp(2).toInstant()).isEqualTo(minutes(30));
    });
  }

  @Test
  void threeSoftBouncesWithinSevenDaysSuppressButSpreadOverLongerDoNot() {
    kit.storeAndHandleOneByOne(global, List.of(softBounce("full@example.com", days(0)),
        softBounce("full@example.com", days(3)), softBounce("full@example.com", days(6))));
    kit.storeAndHandleOneByOne(global, List.of(softBounce("slow@example.com", days(0)),
        softBounce("slow@example.com", days(5)), softBounce("slow@example.com", days(10))));

    assertThat(suppressed("full@example.com")).isTrue();
    assertThat(suppressed("slow@example.com")).isFalse();

    kit.storeAndHandleOneByOne(global, List.of(softBounce("slow@example.com", days(11))));
    assertThat(suppressed("slow@example.com")).isTrue();
    assertThat(kit.db.count("SELECT count FROM suppressions WHERE address = 'slow@example.com' AND reason = 'soft_bounce'"))
        .isEqualTo(4);
  }

  @Test
  void softBouncesArrivingOutOfOrderSuppressWithTheBounceThatCompletedTheWindowAsCause() {
    EmailEvent day6 = softBounce("late@example.com", days(6));
    EmailEvent day0 = softBounce("late@example.com", days(0));
    EmailEvent day3 = softBounce("late@example.com", days(3));

    kit.storeAndHandleOneByOne(global, List.of(day6, day0));
    assertThat(suppressed("late@example.com")).isFalse();
    kit.storeAndHandleOneByOne(global, List.of(day3));

    assertEntry("late@example.com", "soft_bounce", 3, kit.eventId(day6));
  }

  /** The later bounces complete a window first; the earliest bounce, arriving last, completes an earlier one: its cause wins. */
  @Test
  void aLateBounceThatCompletesAnEarlierWindowBecomesTheCause() {
    EmailEvent day0 = softBounce("later@example.com", days(0));
    EmailEvent day1 = softBounce("later@example.com", days(1));
    EmailEvent day2 = softBounce("later@example.com", days(2));
    EmailEvent day3 = softBounce("later@example.com", days(3));

    kit.storeAndHandleOneByOne(global, List.of(day1, day2, day3));
    assertEntry("later@example.com", "soft_bounce", 3, kit.eventId(day3));
    kit.storeAndHandleOneByOne(global, List.of(day0));

    assertEntry("later@example.com", "soft_bounce", 4, kit.eventId(day2));
  }

  @Test
  void resubscribeLiftsTheUnsubscribeButNeverAHardBounceOfTheSameAddress() {
    kit.storeAndHandleOneByOne(global, List.of(of(EventType.UNSUBSCRIBED, "both@example.com", minutes(1)),
        hardBounce("both@example.com", minutes(2)), of(EventType.UNSUBSCRIBED, "back@example.com", minutes(1)),
        of(EventType.SUBSCRIBED, "both@example.com", minutes(3)), of(EventType.SUBSCRIBED, "back@example.com", minutes(3))));

    assertThat(activeReasons("both@example.com")).containsExactly("hard_bounce");
    assertThat(suppressed("back@example.com")).isFalse();

    kit.storeAndHandleOneByOne(global, List.of(of(EventType.UNSUBSCRIBED, "back@example.com", minutes(4))));
    assertThat(suppressed("back@example.com")).isTrue();
  }

  @Test
  void eventTimeDecidesBetweenUnsubscribeAndResubscribeWhateverTheArrivalOrder() {
    // The resubscribe (10:30) arrives before the unsubscribe it follows (10:10): still lifted.
    kit.storeAndHandleOneByOne(global, List.of(of(EventType.SUBSCRIBED, "reordered@example.com", minutes(30)),
        of(EventType.UNSUBSCRIBED, "reordered@example.com", minutes(10))));
    // A stale resubscribe (10:10) arriving after a newer unsubscribe (10:30) lifts nothing.
    kit.storeAndHandleOneByOne(global, List.of(of(EventType.UNSUBSCRIBED, "stale@example.com", minutes(30)),
        of(EventType.SUBSCRIBED, "stale@example.com", minutes(10))));
    // A stale resubscribe never undoes a newer one: 10:30 unsubscribe, 10:40 back, late 10:20 copy.
    kit.storeAndHandleOneByOne(global, List.of(of(EventType.UNSUBSCRIBED, "twice-back@example.com", minutes(30)),
        of(EventType.SUBSCRIBED, "twice-back@example.com", minutes(40)),
        of(EventType.SUBSCRIBED, "twice-back@example.com", minutes(20))));

    assertThat(suppressed("reordered@example.com")).isFalse();
    assertThat(suppressed("stale@example.com")).isTrue();
    assertThat(suppressed("twice-back@example.com")).isFalse();
  }

  @Test
  void perSourceScopeKeepsOneListPerSource() {
    OutboxProcessor perSource = kit.processor(HandlerTestKit.settings(new JsonObject()
        .put("suppression", new JsonObject().put("scope", "source"))));
    kit.store(event("mailgun-eu", EventType.BOUNCED, "scoped@example.com", minutes(1)).build());

    kit.drain(perSource);

    assertThat(kit.db.count("SELECT count(*) FROM suppressions WHERE address = 'scoped@example.com' AND scope = 'mailgun-eu'"))
        .isEqualTo(1);
    assertThat(kit.db.count("SELECT count(*) FROM is_suppressed('scoped@example.com', 'mailgun-eu') s WHERE s")).isEqualTo(1);
    assertThat(kit.db.count("SELECT count(*) FROM is_suppressed('scoped@example.com', 'sendgrid-main') s WHERE s")).isZero();
  }

  /**
   * Two instances each commit one more soft bounce of the same address at the same time: each
   * transaction alone sees only two of the three, yet the address must end up suppressed.
   */
  @Test
  void softBouncesOfOneAddressHandledConcurrentlyByTwoTransactionsStillSuppress() {
    kit.storeAndHandleOneByOne(global, List.of(softBounce("race@example.com", days(0))));
    kit.store(softBounce("race@example.com", days(1)));
    kit.store(softBounce("race@example.com", days(2)));
    io.emailgateway.config.HandlerSettings oneRow = HandlerTestKit.settings(new JsonObject().put("batch_rows", 1));
    List<EventHandler> slow = new ArrayList<>(HandlersVerticle.builtIn(oneRow, List.of()));
    slow.add(new EventHandler() {
      @Override
      public String name() {
        return "hold";
      }

      @Override
      public io.vertx.core.Future<Void> apply(io.vertx.sqlclient.SqlConnection tx, EventBatch batch) {
        return tx.query("SELECT pg_sleep(0.3)").execute().mapEmpty();
      }
    });
    OutboxProcessor concurrent = kit.processor(oneRow, slow);

    HandlerTestKit.await(io.vertx.core.Future.all(concurrent.processOnce(), concurrent.processOnce()));

    assertThat(kit.db.count("SELECT count(*) FROM soft_bounces WHERE address = 'race@example.com'")).isEqualTo(3);
    assertThat(suppressed("race@example.com")).isTrue();
  }

  private void assertEntry(String address, String reason, long count, long causeEventId) {
    List<String> rows = new ArrayList<>();
    kit.db.query("SELECT reason, count, event_id, source, active, scope FROM suppressions WHERE address = '" + address + "'",
        result -> {
          while (result.next()) {
            rows.add(result.getString(1) + "/" + result.getLong(2) + "/" + result.getLong(3) + "/" + result.getString(4)
                + "/" + result.getBoolean(5) + "/" + result.getString(6));
          }
        });
    assertThat(rows).containsExactly(reason + "/" + count + "/" + causeEventId + "/sendgrid-main/true/*");
  }

  private boolean suppressed(String address) {
    return kit.db.count("SELECT count(*) FROM is_suppressed('" + address + "') s WHERE s") == 1;
  }

  private List<String> activeReasons(String address) {
    List<String> reasons = new ArrayList<>();
    kit.db.query("SELECT reason FROM suppressions WHERE active AND address = '" + address + "' ORDER BY reason", rows -> {
      while (rows.next()) {
        reasons.add(rows.getString(1));
      }
    });
    return reasons;
  }

  private static Instant days(long n) {
    return T0.plus(Duration.ofDays(n));
  }
}
