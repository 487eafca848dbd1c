package io.emailgateway.handler;

import static io.emailgateway.handler.HandlerTestKit.event;
import static io.emailgateway.handler.HandlerTestKit.minutes;
import static io.emailgateway.handler.HandlerTestKit.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Engagement per recipient and deliverability per sending domain and source. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngagementAndDeliverabilityIT {
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
  void opensAndClicksAreCountedPerRecipientWithFirstAndLastByEventTime() {
    kit.storeAndHandleOneByOne(processor, List.of(of(EventType.OPENED, "fan@example.com", minutes(5)),
        of(EventType.CLICKED, "fan@example.com", minutes(7)), of(EventType.OPENED, "fan@example.com", minutes(2))));
    kit.store(of(EventType.OPENED, "fan@example.com", minutes(9)), of(EventType.CLICKED, "fan@example.com", minutes(3)),
        of(EventType.OPENED, "glance@example.com", minutes(4)), of(EventType.DELIVERED, "fan@example.com", minutes(1)));
    kit.drain(processor);

    assertThat(engagement("fan@example.com")).isEqualTo(
        "opens=3 clicks=2 open " + minutes(2) + ".." + minutes(9) + " click " + minutes(3) + ".." + minutes(7));
    assertThat(engagement("glance@example.com")).isEqualTo(
        "opens=1 clicks=0 open " + minutes(4) + ".." + minutes(4) + " click null..null");
  }

  @Test
  void deliverabilityCountsPerSendingDomainAndSourceInHourlyBucketsByEventTime() {
    Instant hour = Instant.parse("2024-06-03T14:00:00Z");
    kit.store(sent("News <news@Mail.Shop.example>", "sg", EventType.DELIVERED, hour.plusSeconds(60)),
        sent("news@mail.shop.example", "sg", EventType.DELIVERED, hour.plusSeconds(3599)),
        sent("news@mail.shop.example", "sg", EventType.BOUNCED, hour.plusSeconds(120)),
        sent("news@mail.shop.example", "mailgun", EventType.COMPLAINED, hour.plusSeconds(10)),
        sent("billing@pay.example", "sg", EventType.DELIVERED, hour.plusSeconds(30)),
        sent("news@mail.shop.example", "sg", EventType.OPENED, hour.plusSeconds(40)));
    kit.drain(processor);
    // late: an event of the previous hour arrives after the hour was counted
    kit.store(sent("news@mail.shop.example", "sg", EventType.DELIVERED, hour.minusSeconds(1)));
    kit.drain(processor);

    assertThat(deliverabilityRows("2024-06-03")).containsExactlyInAnyOrder(
        "mail.shop.example/sg/2024-06-03T13:00:00Z 1/0/0",
        "mail.shop.example/sg/2024-06-03T14:00:00Z 2/1/0",
        "mail.shop.example/mailgun/2024-06-03T14:00:00Z 0/0/1",
        "pay.example/sg/2024-06-03T14:00:00Z 1/0/0");
  }

  @Test
  void ratesOverTheLastDayGiveBounceAndComplaintRatesAndLeaveOlderHoursOut() {
    Instant recent = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
    List<EmailEvent> events = new ArrayList<>();
    for (int i = 0; i < 96; i++) {
      events.add(sent("a@rates.example", "sg", EventType.DELIVERED, recent.plusSeconds(i)));
    }
    for (int i = 0; i < 4; i++) {
      events.add(sent("a@rates.example", "sg", EventType.BOUNCED, recent.plusSeconds(i)));
    }
    events.add(sent("a@rates.example", "sg", EventType.COMPLAINED, recent));
    events.add(sent("a@rates.example", "sg", EventType.BOUNCED, Instant.now().minus(Duration.ofDays(3))));
    kit.store(events.toArray(EmailEvent[]::new));
    kit.drain(processor);

    kit.db.query("SELECT delivered, bounced, complained, bounce_rate, complaint_rate FROM deliverability_rates() "
        + "WHERE domain = 'rates.example'", rows -> {
          assertThat(rows.next()).isTrue();
          assertThat(rows.getLong(1)).isEqualTo(96);
          assertThat(rows.getLong(2)).isEqualTo(4);
          assertThat(rows.getLong(3)).isEqualTo(1);
          assertThat(rows.getDouble(4)).isCloseTo(0.04, within(1e-9));
          assertThat(rows.getDouble(5)).isCloseTo(1.0 / 96, within(1e-9));
          assertThat(rows.next()).isFalse();
        });
  }

  private static EmailEvent sent(String sender, String source, EventType type, Instant at) {
    EmailEvent.Builder builder = event(source, type, "someone@example.net", at).sender(sender);
    return (type == EventType.BOUNCED ? builder.bounceType(BounceType.HARD) : builder).build();
  }

  private String engagement(String recipient) {
    List<String> rows = new ArrayList<>();
    kit.db.query("SELECT opens, clicks, first_open_at, last_open_at, first_click_at, last_click_at FROM engagement "
        + "WHERE recipient = '" + recipient + "'", result -> {
          while (result.next()) {
            rows.add("opens=" + result.getLong(1) + " clicks=" + result.getLong(2) + " open " + instant(result, 3) + ".."
                + instant(result, 4) + " click " + instant(result, 5) + ".." + instant(result, 6));
          }
        });
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  private List<String> deliverabilityRows(String day) {
    List<String> rows = new ArrayList<>();
    kit.db.query("SELECT domain, source, bucket_start, delivered, bounced, complained FROM deliverability "
        + "WHERE bucket_start::date BETWEEN date '" + day + "' - 1 AND date '" + day + "'", result -> {
          while (result.next()) {
            rows.add(result.getString(1) + "/" + result.getString(2) + "/" + instant(result, 3) + " " + result.getLong(4)
                + "/" + result.getLong(5) + "/" + result.getLong(6));
          }
        });
    return rows;
  }

  private static Instant instant(java.sql.ResultSet rows, int column) throws java.sql.SQLException {
    java.sql.Timestamp value = rows.getTimestamp(column);
    return value == null ? null : value.toInstant();
  }
}
