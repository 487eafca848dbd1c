package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How SES records become normalized events (parse only; authentication is SesProviderTest's). */
class SesEventsTest {
  private static final String ENVELOPE_TIME = "2026-05-01T10:00:00.000Z";
  private static final String MESSAGE_ID = "a1b2c3d4-0000-5000-8000-000000000001";

  private final SesProvider provider = new SesProvider(SourceConfig.from(new ConfigSection(new JsonObject()
      .put("id", "ses-main").put("provider", "ses").put("topic_arns", new JsonArray().add("arn:aws:sns:us-east-1:1:t")), "sources[0]")));

  private List<EmailEvent> parse(JsonObject record) {
    return parse(record.encode() + "\n");
  }

  private List<EmailEvent> parse(String message) {
    JsonObject envelope = new JsonObject().put("Type", "Notification").put("MessageId", MESSAGE_ID)
        .put("TopicArn", "arn:aws:sns:us-east-1:1:t").put("Message", message).put("Timestamp", ENVELOPE_TIME);
    return provider.parse(TestRequests.request("text/plain; charset=UTF-8", Map.of(), envelope.encode().getBytes(StandardCharsets.UTF_8)));
  }

  private static JsonObject mail(String... destination) {
    return new JsonObject().put("timestamp", "2026-05-01T09:59:00.000Z").put("messageId", "0100-ses-id")
        .put("source", "sender@example.com").put("destination", new JsonArray(List.of((Object[]) destination)));
  }

  private static JsonObject record(String eventType, String detailKey, JsonObject detail, String... destination) {
    JsonObject record = new JsonObject().put("eventType", eventType).put("mail", mail(destination));
    return detailKey == null ? record : record.put(detailKey, detail);
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @CsvSource({
      "Send, send, sent, 2026-05-01T09:59:00.000Z",
      "Reject, reject, rejected, 2026-05-01T09:59:00.000Z",
      "Rendering Failure, failure, failed, 2026-05-01T09:59:00.000Z",
      "Delivery, delivery, delivered, 2026-05-01T09:59:30.000Z",
      "Open, open, opened, 2026-05-01T09:59:30.000Z",
      "Click, click, clicked, 2026-05-01T09:59:30.000Z",
      "Bounce, bounce, bounced, 2026-05-01T09:59:30.000Z",
      "Complaint, complaint, complained, 2026-05-01T09:59:30.000Z",
      "DeliveryDelay, deliveryDelay, deferred, 2026-05-01T09:59:30.000Z",
      "Subscription, subscription, unknown, 2026-05-01T09:59:30.000Z",
      "SomethingNew, somethingNew, unknown, " + ENVELOPE_TIME})
  void eachSesEventTypeMapsToItsTypeAtItsOwnTime(String eventType, String detailKey, String type, String occurredAt) {
    JsonObject detail = new JsonObject().put("timestamp", "2026-05-01T09:59:30.000Z")
        .put("recipients", new JsonArray().add("a@example.com"))
        .put("bouncedRecipients", new JsonArray().add(new JsonObject().put("emailAddress", "a@example.com")))
        .put("complainedRecipients", new JsonArray().add(new JsonObject().put("emailAddress", "a@example.com")))
        .put("delayedRecipients", new JsonArray().add(new JsonObject().put("emailAddress", "a@example.com")));

    List<EmailEvent> events = parse(record(eventType, detailKey, detail, "a@example.com"));

    assertThat(events).singleElement().satisfies(event -> {
      assertThat(event.type().wireName()).isEqualTo(type);
      assertThat(event.occurredAt()).isEqualTo(Timestamps.fromIso(occurredAt));
      assertThat(event.recipient()).isEqualTo("a@example.com");
      assertThat(event.messageId()).isEqualTo("0100-ses-id");
      assertThat(event.sender()).isEqualTo("sender@example.com");
      assertThat(event.eventKey()).isEqualTo(MESSAGE_ID + ":a@example.com");
    });
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(nullValues = "null", value = {"Permanent, HARD", "Transient, SOFT", "Undetermined, SOFT", "Surprise, null"})
  void bounceTypesMapToHardOrSoft(String sesBounceType, BounceType expected) {
    JsonObject bounce = new JsonObject().put("bounceType", sesBounceType).put("bounceSubType", "General")
        .put("bouncedRecipients", new JsonArray().add(new JsonObject().put("emailAddress", "a@example.com")));

    EmailEvent event = parse(record("Bounce", "bounce", bounce, "a@example.com")).get(0);

    assertThat(event.type()).isEqualTo(EventType.BOUNCED);
    assertThat(event.bounceType()).isEqualTo(expected);
    assertThat(event.rejectReason()).isEqualTo(RejectReason.BOUNCED);
    assertThat(event.description()).isEqualTo(sesBounceType + ": General");
  }

  @Test
  void aBounceFansOutToItsBouncedRecipientsOnlyEachWithItsOwnDiagnostic() {
    JsonObject bounce = new JsonObject().put("bounceType", "Permanent").put("timestamp", "2026-05-01T09:59:30.000Z")
        .put("bouncedRecipients", new JsonArray()
            .add(new JsonObject().put("emailAddress", "A@Example.com").put("diagnosticCode", "smtp; 550 5.1.1 a"))
            .add(new JsonObject().put("emailAddress", "b@example.com").put("diagnosticCode", "smtp; 550 5.1.1 b")));
    JsonObject record = new JsonObject().put("notificationType", "Bounce").put("bounce", bounce)
        .put("mail", mail("a@example.com", "b@example.com", "c@example.com"));

    List<EmailEvent> events = parse(record);

    assertThat(events).extracting(EmailEvent::recipient).containsExactly("a@example.com", "b@example.com");
    assertThat(events).extracting(EmailEvent::mtaResponse).containsExactly("smtp; 550 5.1.1 a", "smtp; 550 5.1.1 b");
    assertThat(events).extracting(EmailEvent::eventKey).containsExactly(MESSAGE_ID + ":a@example.com", MESSAGE_ID + ":b@example.com");
    assertThat(events).allSatisfy(event -> assertThat(event.espEvent()).isEqualTo(record));
  }

  @Test
  void aDeliveryDelayIsADeferralPerDelayedRecipient() {
    JsonObject delay = new JsonObject().put("timestamp", "2026-05-01T09:59:30.000Z").put("delayType", "MailboxFull")
        .put("expirationTime", "2026-05-02T09:59:30.000Z")
        .put("delayedRecipients", new JsonArray()
            .add(new JsonObject().put("emailAddress", "a@example.com").put("status", "4.2.2").put("diagnosticCode", "smtp; 452 4.2.2 full"))
            .add(new JsonObject().put("emailAddress", "b@example.com").put("status", "4.4.1").put("diagnosticCode", "smtp; 421 4.4.1 timeout")));

    List<EmailEvent> events = parse(record("DeliveryDelay", "deliveryDelay", delay, "a@example.com", "b@example.com", "c@example.com"));

    assertThat(events).extracting(EmailEvent::type).containsOnly(EventType.DEFERRED);
    assertThat(events).extracting(EmailEvent::recipient).containsExactly("a@example.com", "b@example.com");
    assertThat(events).extracting(EmailEvent::mtaResponse).containsExactly("smtp; 452 4.2.2 full", "smtp; 421 4.4.1 timeout");
    assertThat(events).extracting(EmailEvent::description).containsOnly("MailboxFull");
    assertThat(events).extracting(EmailEvent::bounceType).containsOnlyNulls();
  }

  @Test
  void opensAndClicksGoToEveryDestinationWithUserAgentAndIp() {
    JsonObject click = new JsonObject().put("timestamp", "2026-05-01T09:59:30.000Z").put("link", "https://example.com/x")
        .put("userAgent", "Mozilla/5.0").put("ipAddress", "192.0.2.1");

    List<EmailEvent> events = parse(record("Click", "click", click, "a@example.com", "A@example.com", "b@example.com"));

    assertThat(events).extracting(EmailEvent::recipient).containsExactly("a@example.com", "b@example.com");
    assertThat(events).allSatisfy(event -> {
      assertThat(event.clickUrl()).isEqualTo("https://example.com/x");
      assertThat(event.userAgent()).isEqualTo("Mozilla/5.0");
      assertThat(event.ip()).isEqualTo("192.0.2.1");
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "all topics | true  | false | OptOut | OptOut | unsubscribed | contact list L via UnsubscribeHeader: unsubscribeAll",
      "one topic  | false | false | OptIn  | OptOut | unsubscribed | contact list L via UnsubscribeHeader: News OptOut",
      "opt in     | false | false | OptOut | OptIn  | subscribed   | contact list L via UnsubscribeHeader: News OptIn",
      "no change  | false | false | OptIn  | OptIn  | unknown      | contact list L via UnsubscribeHeader"})
  void subscriptionChangesMapToUnsubscribedOrSubscribed(String name, boolean allNow, boolean allBefore, String before,
      String now, String type, String description) {
    JsonObject subscription = new JsonObject().put("contactList", "L").put("timestamp", "2026-05-01T09:59:30.000Z")
        .put("source", "UnsubscribeHeader")
        .put("newTopicPreferences", preferences(allNow, now)).put("oldTopicPreferences", preferences(allBefore, before));

    EmailEvent event = parse(record("Subscription", "subscription", subscription, "a@example.com")).get(0);

    assertThat(event.type().wireName()).isEqualTo(type);
    assertThat(event.description()).isEqualTo(description);
    assertThat(event.recipient()).isEqualTo("a@example.com");
  }

  private static JsonObject preferences(boolean unsubscribeAll, String newsStatus) {
    return new JsonObject().put("unsubscribeAll", unsubscribeAll).put("topicSubscriptionStatus",
        new JsonArray().add(new JsonObject().put("topicName", "News").put("subscriptionStatus", newsStatus)));
  }

  @Test
  void anEventWithoutItsOwnTimestampFallsBackToTheSnsEnvelopeTime() {
    JsonObject complaint = new JsonObject().put("complaintFeedbackType", "abuse")
        .put("complainedRecipients", new JsonArray().add(new JsonObject().put("emailAddress", "a@example.com")));

    EmailEvent event = parse(record("Complaint", "complaint", complaint, "a@example.com")).get(0);

    assertThat(event.occurredAt()).isEqualTo(Timestamps.fromIso(ENVELOPE_TIME));
    assertThat(event.rejectReason()).isEqualTo(RejectReason.SPAM);
  }

  @Test
  void aRecordWithoutRecipientsStillBecomesOneEventKeyedByTheMessageId() {
    JsonObject record = new JsonObject().put("eventType", "Send").put("mail", new JsonObject().put("messageId", "x"));

    assertThat(parse(record)).singleElement().satisfies(event -> {
      assertThat(event.recipient()).isNull();
      assertThat(event.eventKey()).isEqualTo(MESSAGE_ID);
    });
  }

  @Test
  void sesTopicValidationNoticeProducesNoEvents() {
    assertThat(parse("Successfully validated SNS topic for Amazon SES event publishing.")).isEmpty();
  }

  @Test
  void aPlainTextMessageThatIsNotSesIsABadRequest() {
    assertThatThrownBy(() -> parse("hello")).isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void inboundReceivedNotificationsAreABadRequest() {
    JsonObject record = new JsonObject().put("notificationType", "Received").put("mail", mail("a@example.com"));

    assertThatThrownBy(() -> parse(record)).isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void tagsAndMetadataComeFromAnymailsHeaders() {
    JsonObject mail = mail("a@example.com").put("headers", new JsonArray()
        .add(new JsonObject().put("name", "X-Tag").put("value", "one"))
        .add(new JsonObject().put("name", "x-tag").put("value", "two"))
        .add(new JsonObject().put("name", "X-Metadata").put("value", "{\"order\":\"42\"}")));
    JsonObject record = new JsonObject().put("eventType", "Send").put("mail", mail);

    EmailEvent event = parse(record).get(0);

    assertThat(event.tags()).containsExactly("one", "two");
    assertThat(event.metadata()).isEqualTo(new JsonObject().put("order", "42"));
  }

  /**
   * The anymail fixtures assert the SNS envelope's Timestamp as occurred_at; the gateway reports
   * the SES event's own time instead (ProviderConformanceTest skips that one field for ses).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "test_bounce_event, 2016-01-27T14:59:44.101Z",
      "test_send_event, 2016-10-14T05:02:16.645Z",
      "test_reject_event, 2016-10-14T17:38:15.211Z",
      "test_delivery_event, 2016-01-27T14:59:38.237Z",
      "test_open_event, 2017-08-09T22:00:19.652Z",
      "test_click_event, 2017-08-09T23:51:25.570Z",
      "test_complaint_event, 2018-03-26T17:58:59.675Z",
      "test_rendering_failure_event, 2018-03-26T17:58:59.675Z",
      "gateway_delivery_delay_event, 2020-06-16T00:25:40.095Z",
      "gateway_subscription_event, 2022-01-12T01:00:17.910Z",
      "gateway_transient_bounce_event, 2016-01-27T14:59:44.101Z"})
  void corpusEventsOccurAtTheSesEventsOwnTimeAndAreKeyedByMessageIdAndRecipient(String name, String occurredAt) {
    ConformanceCorpus.Case c = ConformanceCorpus.cases("ses").filter(x -> x.name().equals(name)).findFirst().orElseThrow();

    List<EmailEvent> events = provider.parse(c.request());

    assertThat(events).isNotEmpty().allSatisfy(event -> {
      assertThat(event.occurredAt()).isEqualTo(Timestamps.fromIso(occurredAt));
      assertThat(event.eventKey()).isEqualTo(c.headers().get("x-amz-sns-message-id") + ":" + event.recipient());
    });
  }
}
