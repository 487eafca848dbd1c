package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Postmark: basic auth (it signs nothing) and the RecordType / bounce Type table of REFERENCE.md §5.3. */
class PostmarkProviderTest {
  private static final JsonObject TWO_PAIRS = new JsonObject().put("basic_auth", new JsonArray()
      .add(new JsonObject().put("username", "postmark").put("password", "old-secret"))
      .add(new JsonObject().put("username", "postmark").put("password", "new-secret")));
  private static final byte[] DELIVERY = utf8("{\"RecordType\":\"Delivery\",\"Recipient\":\"a@example.com\"}");

  private final PostmarkProvider provider = provider(TWO_PAIRS);

  @Test
  void rightCredentialsAreAccepted() {
    assertThat(authenticate("postmark:old-secret").succeeded()).isTrue();
  }

  @Test
  void secondConfiguredPairAuthenticatesDuringARotation() {
    assertThat(authenticate("postmark:new-secret").succeeded()).isTrue();
  }

  @ParameterizedTest(name = "Authorization [{0}] is refused")
  @CsvSource(value = {"Basic cG9zdG1hcms6d3Jvbmc=", "Basic cG9zdG1hcms=", "Basic not-base64!", "Bearer old-secret", "NONE", "''"},
      nullValues = "NONE")
  void wrongMissingOrMalformedCredentialsAreRefused(String authorization) {
    Map<String, String> headers = authorization == null ? Map.of() : Map.of("Authorization", authorization);
    Future<Void> result = provider.authenticate(TestRequests.json(headers, DELIVERY));
    assertThat(result.failed()).isTrue();
    assertThat(result.cause()).isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void sourceWithoutBasicAuthIsDisabled() {
    assertThatThrownBy(() -> provider(new JsonObject())).isInstanceOf(MissingCredentialsException.class)
        .hasMessageContaining("sources[0].basic_auth");
    JsonObject unsetVariables = new JsonObject().put("basic_auth", new JsonArray().add(new JsonObject().put("username", "").put("password", "")));
    assertThatThrownBy(() -> provider(unsetVariables)).isInstanceOf(MissingCredentialsException.class);
  }

  @Test
  void pairWithoutAPasswordStopsStartUp() {
    JsonObject half = new JsonObject().put("basic_auth", new JsonArray().add(new JsonObject().put("username", "postmark")));
    assertThatThrownBy(() -> provider(half)).isInstanceOf(ConfigException.class).hasMessageContaining("sources[0].basic_auth[0]");
  }

  @Test
  void onlyJsonIsAccepted() {
    assertThat(provider.acceptsContentType("application/json")).isTrue();
    assertThat(provider.acceptsContentType("application/x-www-form-urlencoded")).isFalse();
  }

  @ParameterizedTest(name = "RecordType {0} -> {1}")
  @CsvSource({"Delivery, DELIVERED", "Open, OPENED", "Click, CLICKED", "Bounce, BOUNCED", "SpamComplaint, COMPLAINED",
      "SubscriptionChange, UNSUBSCRIBED", "SomethingNew, UNKNOWN"})
  void everyRecordTypeHasItsProvisionalType(String recordType, EventType expected) {
    assertThat(parse(new JsonObject().put("RecordType", recordType)).type()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "Bounce Type {0} -> {1} {2} {3}")
  @CsvSource(value = {
      "HardBounce, BOUNCED, BOUNCED, HARD", "Transient, DEFERRED, NULL, NULL",
      "Unsubscribe, UNSUBSCRIBED, UNSUBSCRIBED, NULL", "Subscribe, SUBSCRIBED, NULL, NULL",
      "AutoResponder, AUTORESPONDED, NULL, NULL", "AddressChange, AUTORESPONDED, NULL, NULL",
      "DnsError, DEFERRED, NULL, NULL", "SpamNotification, COMPLAINED, SPAM, NULL",
      "OpenRelayTest, DEFERRED, NULL, NULL", "Unknown, UNKNOWN, NULL, NULL",
      "SoftBounce, BOUNCED, BOUNCED, SOFT", "VirusNotification, BOUNCED, OTHER, SOFT",
      "ChallengeVerification, AUTORESPONDED, NULL, NULL", "BadEmailAddress, REJECTED, INVALID, NULL",
      "SpamComplaint, COMPLAINED, SPAM, NULL", "ManuallyDeactivated, REJECTED, BLOCKED, NULL",
      "Unconfirmed, REJECTED, NULL, NULL", "Blocked, REJECTED, BLOCKED, NULL", "SMTPApiError, FAILED, NULL, NULL",
      "InboundError, UNKNOWN, NULL, NULL", "DMARCPolicy, REJECTED, BLOCKED, NULL",
      "TemplateRenderingFailed, FAILED, NULL, NULL", "ManualSuppression, UNSUBSCRIBED, UNSUBSCRIBED, NULL",
      "SomethingNew, BOUNCED, NULL, NULL"}, nullValues = "NULL")
  void everyBounceTypeMapsAsTheTableSays(String type, EventType event, RejectReason reason, BounceType bounceType) {
    EmailEvent bounce = parse(new JsonObject().put("RecordType", "Bounce").put("ID", 42).put("Type", type).put("Email", "a@example.com"));
    assertThat(bounce.type()).isEqualTo(event);
    assertThat(bounce.rejectReason()).isEqualTo(reason);
    assertThat(bounce.bounceType()).isEqualTo(bounceType);
    assertThat(bounce.eventKey()).isEqualTo("42");
  }

  @Test
  void spamComplaintRecordWithAnUnknownTypeStaysAComplaint() {
    EmailEvent event = parse(new JsonObject().put("RecordType", "SpamComplaint").put("ID", 7).put("Type", "SomethingNew"));
    assertThat(event.type()).isEqualTo(EventType.COMPLAINED);
    assertThat(event.eventKey()).isEqualTo("7");
  }

  @ParameterizedTest(name = "SuppressSending {0}, SuppressionReason {1} -> {2} {3} {4}")
  @CsvSource(value = {
      "true, HardBounce, BOUNCED, BOUNCED, HARD", "true, SpamComplaint, COMPLAINED, SPAM, NULL",
      "true, ManualSuppression, UNSUBSCRIBED, UNSUBSCRIBED, NULL", "true, SomethingNew, UNSUBSCRIBED, NULL, NULL",
      "false, NULL, SUBSCRIBED, NULL, NULL", "NULL, ManualSuppression, UNSUBSCRIBED, UNSUBSCRIBED, NULL"}, nullValues = "NULL")
  void subscriptionChangesTakeTheirTypeFromTheSuppressionReason(Boolean suppress, String reason, EventType event,
      RejectReason rejectReason, BounceType bounceType) {
    JsonObject change = new JsonObject().put("RecordType", "SubscriptionChange").put("SuppressionReason", reason);
    if (suppress != null) {
      change.put("SuppressSending", suppress);
    }
    EmailEvent parsed = parse(change);
    assertThat(parsed.type()).isEqualTo(event);
    assertThat(parsed.rejectReason()).isEqualTo(rejectReason);
    assertThat(parsed.bounceType()).isEqualTo(bounceType);
  }

  @ParameterizedTest(name = "{0} at {1}={2}")
  @CsvSource({
      "Delivery, DeliveredAt, 2014-08-01T13:28:10.2735393-04:00, 2014-08-01T17:28:10.273Z",
      "Bounce, BouncedAt, 2016-04-27T16:28:50.3963933-04:00, 2016-04-27T20:28:50.396Z",
      "SpamComplaint, BouncedAt, 2016-04-27T16:28:50.3963933+02:00, 2016-04-27T14:28:50.396Z",
      "Open, ReceivedAt, 2017-10-25T15:21:11.9065619Z, 2017-10-25T15:21:11.906Z",
      "Click, ReceivedAt, 2017-10-25T15:21:11.9065619Z, 2017-10-25T15:21:11.906Z",
      "SubscriptionChange, ChangedAt, 2022-06-05T17:17:32Z, 2022-06-05T17:17:32Z",
      "Delivery, DeliveredAt, 2019-11-05T16:33:54.9070259, 2019-11-05T16:33:54.907Z"})
  void eachRecordTypeTakesItsOwnTime(String recordType, String field, String value, Instant expected) {
    JsonObject record = new JsonObject().put("RecordType", recordType).put(field, value).put("ReceivedAt", "2000-01-01T00:00:00Z");
    if (field.equals("ReceivedAt")) {
      record.put(field, value);
    }
    assertThat(parse(record).occurredAt()).isEqualTo(expected);
  }

  @Test
  void recordWithoutAUsableTimeIsStoredAtItsReceiptTime() {
    WebhookRequest request = TestRequests.json(Map.of(), utf8("{\"RecordType\":\"Delivery\",\"DeliveredAt\":\"yesterday\"}"));
    assertThat(provider.parse(request).get(0).occurredAt()).isEqualTo(request.receivedAt());
  }

  @Test
  void bothSpellingsOfTheMessageIdAreRead() {
    assertThat(parse(new JsonObject().put("RecordType", "Delivery").put("MessageID", "a")).messageId()).isEqualTo("a");
    assertThat(parse(new JsonObject().put("RecordType", "Delivery").put("MessageId", "b")).messageId()).isEqualTo("b");
  }

  @Test
  void recipientIsEmailOnBouncesAndRecipientElsewhere() {
    assertThat(parse(new JsonObject().put("RecordType", "Bounce").put("Email", "Bounce@Example.com")).recipient()).isEqualTo("bounce@example.com");
    assertThat(parse(new JsonObject().put("RecordType", "Open").put("Recipient", "open@example.com")).recipient()).isEqualTo("open@example.com");
  }

  @Test
  void onlyBouncesAndSpamComplaintsAreKeyedByTheirId() {
    EmailEvent delivery = parse(new JsonObject().put("RecordType", "Delivery").put("ID", 5).put("Recipient", "a@example.com"));
    assertThat(delivery.eventKey()).startsWith("sha256:");
  }

  @Test
  void tagAndMetadataAreCarried() {
    EmailEvent event = parse(new JsonObject().put("RecordType", "Click").put("Tag", "welcome")
        .put("Metadata", new JsonObject().put("user", "7")).put("OriginalLink", "https://x.example").put("UserAgent", "UA"));
    assertThat(event.tags()).containsExactly("welcome");
    assertThat(event.metadata()).isEqualTo(new JsonObject().put("user", "7"));
    assertThat(event.clickUrl()).isEqualTo("https://x.example");
    assertThat(event.userAgent()).isEqualTo("UA");
    assertThat(parse(new JsonObject().put("RecordType", "Click").put("Tag", "")).tags()).isEmpty();
  }

  @Test
  void inboundRecordTypePostedToATrackingSourceIsRefusedNamingIt() {
    assertThatThrownBy(() -> parse(new JsonObject().put("RecordType", "Inbound").put("FromFull", new JsonObject())))
        .isInstanceOfSatisfying(WebhookException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.publicMessage()).contains("RecordType Inbound");
        });
  }

  @Test
  void espEventIsTheOriginalObjectUnchanged() {
    JsonObject original = new JsonObject().put("RecordType", "Delivery").put("Metadata", new JsonObject().put("k", "v"));
    EmailEvent event = parse(original.copy());
    event.metadata().put("added", "x");
    assertThat(event.espEvent()).isEqualTo(original);
  }

  @Test
  void bodyThatIsNotOneJsonObjectIsRefused() {
    for (String body : List.of("[{\"RecordType\":\"Delivery\"}]", "not json", "")) {
      assertThatThrownBy(() -> provider.parse(TestRequests.json(Map.of(), utf8(body))))
          .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
  }

  private EmailEvent parse(JsonObject record) {
    List<EmailEvent> events = provider.parse(TestRequests.json(Map.of(), utf8(record.encode())));
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  private Future<Void> authenticate(String userPassword) {
    String header = "Basic " + Base64.getEncoder().encodeToString(utf8(userPassword));
    return provider.authenticate(TestRequests.json(Map.of("Authorization", header), DELIVERY));
  }

  private static PostmarkProvider provider(JsonObject settings) {
    JsonObject source = new JsonObject().put("id", "pm").put("provider", "postmark").mergeIn(settings);
    return new PostmarkProvider(SourceConfig.from(new ConfigSection(source, "sources[0]")));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
