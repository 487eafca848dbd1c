package io.emailgateway.provider;

import static io.emailgateway.provider.SendGridProviderTest.MULTI_BODY;
import static io.emailgateway.provider.SendGridProviderTest.SINGLE_BODY;
import static io.emailgateway.provider.SendGridProviderTest.SINGLE_KEY;
import static io.emailgateway.provider.SendGridProviderTest.keys;
import static io.emailgateway.provider.SendGridProviderTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventKeys;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** How SendGrid events normalize (REFERENCE.md §3.3, §3.4). */
class SendGridMappingTest {
  private final SendGridProvider provider = SendGridProviderTest.provider(keys(SINGLE_KEY));

  private List<EmailEvent> parse(String body) {
    return provider.parse(TestRequests.json(Map.of(), utf8(body)));
  }

  private EmailEvent parseOne(String event) {
    List<EmailEvent> events = parse("[" + event + "]");
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  @Test
  void officialSingleVectorIsADroppedBouncedAddress() {
    EmailEvent event = provider.parse(TestRequests.json(Map.of(), SINGLE_BODY)).get(0);
    assertThat(event.type()).isEqualTo(EventType.REJECTED);
    assertThat(event.rejectReason()).isEqualTo(RejectReason.BOUNCED);
    assertThat(event.bounceType()).isNull();
    assertThat(event.description()).isEqualTo("Bounced Address");
    assertThat(event.mtaResponse()).isNull();
    assertThat(event.recipient()).isEqualTo("hello@world.com");
    assertThat(event.eventKey()).isEqualTo("ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA");
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2020-09-14T19:41:32Z"));
    assertThat(event.source()).isEqualTo("sg-main");
    assertThat(event.provider()).isEqualTo("sendgrid");
  }

  @Test
  void officialMultiVectorGivesBothEventsInOrder() {
    List<EmailEvent> events = provider.parse(TestRequests.json(Map.of(), MULTI_BODY));
    assertThat(events).extracting(EmailEvent::type).containsExactly(EventType.QUEUED, EventType.BOUNCED);
    EmailEvent bounce = events.get(1);
    assertThat(bounce.bounceType()).isEqualTo(BounceType.SOFT);
    assertThat(bounce.rejectReason()).isNull();
    assertThat(bounce.mtaResponse()).startsWith("552 5.2.2 The email account that you tried to reach is over quota");
    assertThat(bounce.occurredAt()).isEqualTo(Instant.parse("2021-04-28T23:05:47Z"));
    assertThat(bounce.ip()).as("the sending IP of a bounce is not the recipient's").isNull();
    assertThat(bounce.metadata()).as("send_at, tls and the rest are SendGrid fields").isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "processed, QUEUED", "dropped, REJECTED", "delivered, DELIVERED", "deferred, DEFERRED",
      "bounce, BOUNCED", "open, OPENED", "click, CLICKED", "spamreport, COMPLAINED",
      "unsubscribe, UNSUBSCRIBED", "group_unsubscribe, UNSUBSCRIBED", "group_resubscribe, SUBSCRIBED",
      "account_status_change, UNKNOWN", "Delivered, UNKNOWN"})
  void everySendGridEventHasItsNormalizedType(String sendGridEvent, EventType expected) {
    assertThat(parseOne("{\"event\":\"" + sendGridEvent + "\",\"timestamp\":1}").type()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "dropped with {0} = {1} -> {2}")
  @CsvSource({
      "reason, Invalid, INVALID", "reason, Unsubscribed Address, UNSUBSCRIBED",
      "reason, Bounced Address, BOUNCED", "type, bounce, BOUNCED", "type, blocked, BLOCKED",
      "type, expired, TIMED_OUT", "reason, Spam Reporting Address, SPAM", "reason, Invalid SMTPAPI header, OTHER",
      "reason, Spam Content (if Spam Checker app is enabled), OTHER", "reason, Recipient List over Package Quota, OTHER"})
  void droppedEventsCarryTheirRejectReason(String field, String value, RejectReason expected) {
    EmailEvent event = parseOne(new JsonObject().put("event", "dropped").put(field, value).encode());
    assertThat(event.type()).isEqualTo(EventType.REJECTED);
    assertThat(event.rejectReason()).isEqualTo(expected);
    assertThat(event.mtaResponse()).isNull();
  }

  @Test
  void droppedTypeWinsOverReason() {
    EmailEvent event = parseOne("{\"event\":\"dropped\",\"type\":\"expired\",\"reason\":\"Bounced Address\"}");
    assertThat(event.rejectReason()).isEqualTo(RejectReason.TIMED_OUT);
    assertThat(event.description()).isEqualTo("Bounced Address");
  }

  @ParameterizedTest(name = "bounce type {0} -> {1}")
  @CsvSource(value = {"bounce, HARD", "blocked, SOFT", "somethingnew, NULL", "NULL, NULL"}, nullValues = "NULL")
  void bounceTypeComesFromTheBounceEventsType(String type, BounceType expected) {
    JsonObject bounce = new JsonObject().put("event", "bounce").put("reason", "550 5.1.1 no such user")
        .put("bounce_classification", "Invalid Address");
    if (type != null) {
      bounce.put("type", type);
    }
    EmailEvent event = parseOne(bounce.encode());
    assertThat(event.bounceType()).isEqualTo(expected);
    assertThat(event.rejectReason()).isNull();
    assertThat(event.mtaResponse()).isEqualTo("550 5.1.1 no such user");
    assertThat(event.description()).isEqualTo("Invalid Address");
  }

  @Test
  void onlyBouncesCarryABounceType() {
    assertThat(parseOne("{\"event\":\"dropped\",\"type\":\"bounce\"}").bounceType()).isNull();
    assertThat(parseOne("{\"event\":\"deferred\",\"type\":\"blocked\"}").bounceType()).isNull();
  }

  @Test
  void deliveredAndDeferredReportTheMtaResponse() {
    assertThat(parseOne("{\"event\":\"delivered\",\"response\":\"250 OK\"}").mtaResponse()).isEqualTo("250 OK");
    assertThat(parseOne("{\"event\":\"deferred\",\"response\":\"400 try again later\",\"attempt\":\"5\"}").mtaResponse())
        .isEqualTo("400 try again later");
  }

  @Test
  void singleCategoryAsAPlainStringIsOneTag() {
    assertThat(parseOne("{\"event\":\"open\",\"category\":\"cat facts\"}").tags()).containsExactly("cat facts");
    assertThat(parseOne("{\"event\":\"open\",\"category\":[\"a\",\"b\"]}").tags()).containsExactly("a", "b");
    assertThat(parseOne("{\"event\":\"open\"}").tags()).isEmpty();
  }

  @Test
  void customArgsBecomeMetadataButSendGridFieldsAndAnymailIdDoNot() {
    EmailEvent event = parseOne("{\"event\":\"processed\",\"email\":\"a@example.com\",\"timestamp\":1,"
        + "\"smtp-id\":\"<x@y>\",\"sg_event_id\":\"e\",\"sg_message_id\":\"m.filter\",\"anymail_id\":\"uuid\","
        + "\"pool\":{\"name\":\"p\",\"id\":1},\"sg_machine_open\":false,\"marketing_campaign_version\":\"B\","
        + "\"customer_id\":\"42\",\"plan\":\"pro\",\"attempt_no\":3}");
    assertThat(event.metadata()).isEqualTo(new JsonObject().put("customer_id", "42").put("plan", "pro").put("attempt_no", 3));
  }

  @Test
  void nestedUniqueArgsAndCustomArgsAreMergedIntoMetadata() {
    EmailEvent event = parseOne("{\"event\":\"open\",\"unique_args\":{\"a\":\"1\"},\"custom_args\":{\"b\":\"2\"},\"c\":\"3\"}");
    assertThat(event.metadata()).isEqualTo(new JsonObject().put("a", "1").put("b", "2").put("c", "3"));
  }

  @ParameterizedTest(name = "{0}: ip reported = {1}")
  @CsvSource({"open, true", "click, true", "delivered, false", "bounce, false", "processed, false"})
  void ipIsOnlyTheRecipientsOnOpensAndClicks(String sendGridEvent, boolean reported) {
    EmailEvent event = parseOne("{\"event\":\"" + sendGridEvent + "\",\"ip\":\"192.0.2.7\",\"useragent\":\"UA\",\"url\":\"https://x\"}");
    assertThat(event.ip()).isEqualTo(reported ? "192.0.2.7" : null);
  }

  @Test
  void clickCarriesUrlAndUserAgent() {
    EmailEvent event = parseOne("{\"event\":\"click\",\"url\":\"https://example.com/a\",\"useragent\":\"Mozilla\",\"url_offset\":{\"index\":0}}");
    assertThat(event.clickUrl()).isEqualTo("https://example.com/a");
    assertThat(event.userAgent()).isEqualTo("Mozilla");
  }

  @Test
  void eventKeyIsTheSgEventIdOfEveryCorpusFixture() {
    List<ConformanceCorpus.Case> withIds = ConformanceCorpus.cases("sendgrid")
        .filter(c -> c.name().startsWith("test_") && c.json().getJsonArray("expected").getJsonObject(0).containsKey("event_id"))
        .toList();
    assertThat(withIds).hasSizeGreaterThanOrEqualTo(8);
    withIds.forEach(c -> assertThat(provider.parse(c.request()).get(0).eventKey()).as(c.name())
        .isEqualTo(ConformanceCorpus.expectedEventId(c, 0)));
  }

  @Test
  void eventWithoutSgEventIdIsKeyedByItsContentWhateverTheKeyOrder() {
    EmailEvent first = parseOne("{\"event\":\"unsubscribe\",\"email\":\"a@example.com\",\"timestamp\":1}");
    EmailEvent reordered = parseOne("{\"timestamp\":1, \"email\":\"a@example.com\", \"event\":\"unsubscribe\"}");
    EmailEvent blankId = parseOne("{\"event\":\"unsubscribe\",\"email\":\"a@example.com\",\"timestamp\":1,\"sg_event_id\":\"\"}");
    assertThat(first.eventKey()).startsWith("sha256:").isEqualTo(reordered.eventKey())
        .isEqualTo(EventKeys.contentHash(new JsonObject().put("email", "a@example.com").put("event", "unsubscribe").put("timestamp", 1)));
    assertThat(blankId.eventKey()).startsWith("sha256:").isNotEqualTo(first.eventKey());
  }

  @Test
  void espEventIsTheOriginalObjectUnchanged() {
    String original = "{\"event\":\"processed\",\"category\":\"c\",\"custom\":\"v\",\"timestamp\":1,\"sg_event_id\":\"k\"}";
    assertThat(parseOne(original).espEvent()).isEqualTo(new JsonObject(original));
  }

  @Test
  void eventWithoutAUsableTimestampIsStoredAtItsReceiptTime() {
    WebhookRequest request = TestRequests.json(Map.of(), utf8("[{\"event\":\"open\"},{\"event\":\"open\",\"timestamp\":\"soon\"},"
        + "{\"event\":\"open\",\"timestamp\":\"1461095250\"}]"));
    List<EmailEvent> events = provider.parse(request);
    assertThat(events.get(0).occurredAt()).isEqualTo(request.receivedAt());
    assertThat(events.get(1).occurredAt()).isEqualTo(request.receivedAt());
    assertThat(events.get(2).occurredAt()).isEqualTo(Instant.parse("2016-04-19T19:47:30Z"));
  }

  @Test
  void eventWithoutAnEventNameIsUnknown() {
    assertThat(parseOne("{\"email\":\"a@example.com\"}").type()).isEqualTo(EventType.UNKNOWN);
  }

  @Test
  void elementThatIsNotAnObjectRefusesTheWholeBatchNamingIt() {
    assertThatThrownBy(() -> parse("[{\"event\":\"open\"}, \"open\"]")).isInstanceOfSatisfying(WebhookException.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.publicMessage()).isEqualTo("events[1] is not a JSON object");
    });
  }

  @ParameterizedTest(name = "body [{0}]")
  @MethodSource("notSendGridBodies")
  void bodyThatIsNotAJsonArrayIsRefused(String body) {
    assertThatThrownBy(() -> parse(body)).isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  static List<String> notSendGridBodies() {
    return List.of("{\"event\":\"open\"}", "not json", "", "[{\"event\":\"open\"}");
  }

  @Test
  void emptyBatchIsNoEvents() {
    assertThat(parse("[]")).isEmpty();
  }
}
