package io.emailgateway.provider;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class MailgunProviderTest {
  /** Symfony's MailgunRequestParserTest secret, which signed its fixtures (REFERENCE §16.2). */
  private static final String SYMFONY_KEY = "key-0p6mqbf74lb20gzq9f4dhpn9rg3zyk26";
  private static final String VECTOR_TOKEN = "d1931d9645b65e60f6fddf94448e982ff8db9256144a7fcb15";
  private static final String VECTOR_TIMESTAMP = "1661621787";
  private static final String VECTOR_SIGNATURE = "1aed11dcc25700d6b75f9a6d568343ea02ecdd3fc89cc3209e2883a19e5cdd50";

  private static String vectorBody() {
    return new String(TestRequests.resource("vectors/mailgun_delivered.body"), UTF_8);
  }

  // --- verification: published vectors ---

  @Test
  void symfonyDeliveredVectorVerifiesOverTheExactBodyBytes() {
    assertVerifies(provider(SYMFONY_KEY), json(vectorBody()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "delivered_messages, 1661621787, d1931d9645b65e60f6fddf94448e982ff8db9256144a7fcb15, 1aed11dcc25700d6b75f9a6d568343ea02ecdd3fc89cc3209e2883a19e5cdd50",
      "opens, 1661621752, bbb203bc8d6602b6b22e4ce88a074f73fecb68d3a96e9c8318, 695c5558b2f9b7a05c73081c860688595fde006c60614e9d6841cc889c4c8c9f",
      "clicks and accepted, 1661621710, 885894756b6c371a377f5f9516d60a4db497ad27d4931ed215, 606307bb55b72686b1b2a2c8c37ae6e6ec89496592bac4a4eee5a346337d04a5",
      "permanent and suppression failures, 1661590666, fff0ebc59c0516f4ce0823212a2f45e5c67814420b99fe558b, a0cd251821d8fd56a2130b541becc8e441023574e602fe9829a9ab9fbfdea33f",
      "spam_complaints, 1661621468, 335da63647194414fe8bbb7c67b3b0585e426bcd10b258dcf4, e3c1ce2c6c7a678823e610537eeef59426df9b1b8ed4a49a91e144e71aa64fa9",
      "temporary_failure, 1661621361, fafa24ab7699395ccfce2847b87dce8a29f6696a79127ee77c, 4328a8ea0818dcb218382cf70ccee285c45a8755f5f5616be90b887b67d84593",
      "unsubscribes, 1661621652, 1483353025fd6e45b682f14b18d943c52cea11161c1721ee85, 83456337a19a70187a620658448ae21d3a50b0aca571bcdad43616741ca300b2"})
  void everySymfonyFixtureSignatureVerifies(String fixture, String timestamp, String token, String signature) {
    assertVerifies(provider(SYMFONY_KEY), json(signedBody(timestamp, token, signature)));
  }

  @Test
  void mailgunGoComputedVectorVerifies() {
    String signature = "be636525fcbffba547491ce8a6ff04cbfbf0811aa7031db14147de41be62ffe0";
    assertVerifies(provider("WEBHOOK_SIGNING_KEY"), json(signedBody("123456789", "token", signature)));
  }

  // --- verification: negative cases ---

  @Test
  void aWrongKeyIsRefused() {
    assertRefused(provider("key-someone-else"), json(vectorBody()));
  }

  @Test
  void anAlteredTokenIsRefused() {
    String tampered = vectorBody().replace(VECTOR_TOKEN, VECTOR_TOKEN.replace('d', 'e'));
    assertRefused(provider(SYMFONY_KEY), json(tampered));
  }

  @Test
  void anAlteredTimestampIsRefused() {
    String tampered = vectorBody().replace(VECTOR_TIMESTAMP, "1661621788");
    assertRefused(provider(SYMFONY_KEY), json(tampered));
  }

  @Test
  void aMissingSignatureBlockIsRefused() {
    JsonObject body = new JsonObject(vectorBody());
    body.remove("signature");
    assertRefused(provider(SYMFONY_KEY), json(body.encode()));
  }

  @ParameterizedTest(name = "empty {0}")
  @CsvSource({"timestamp", "token", "signature"})
  void aSignatureBlockWithAnEmptyFieldIsRefused(String field) {
    JsonObject body = new JsonObject(vectorBody());
    body.getJsonObject("signature").put(field, "");
    assertRefused(provider(SYMFONY_KEY), json(body.encode()));
  }

  @Test
  void aSignatureOverTimestampAndTokenWithASeparatorIsRefused() {
    String dotted = hmacHex("key-test", "1661621787." + VECTOR_TOKEN);
    assertRefused(provider("key-test"), json(signedBody("1661621787", VECTOR_TOKEN, dotted)));
  }

  @Test
  void aBodyThatIsNotJsonIsABadRequest() {
    Future<Void> result = provider(SYMFONY_KEY).authenticate(json("signature=abc"));
    assertThat(result.cause()).isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void upperCaseHexOfTheRightSignatureVerifies() {
    assertVerifies(provider(SYMFONY_KEY), json(signedBody(VECTOR_TIMESTAMP, VECTOR_TOKEN, VECTOR_SIGNATURE.toUpperCase())));
  }

  // --- keys: rotation and subaccounts ---

  @Test
  void theSecondConfiguredKeyVerifiesDuringARotation() {
    assertVerifies(provider("key-new-not-yet-used", SYMFONY_KEY), json(vectorBody()));
  }

  @Test
  void aSubaccountEventVerifiesByItsParentSignatureUnderThePrimaryKey() {
    JsonObject body = new JsonObject(signedBody("1700000000", "tok", hmacHex("key-subaccount", "1700000000tok")));
    body.getJsonObject("signature").put("parent-signature", hmacHex("key-primary", "1700000000tok"));
    assertVerifies(provider("key-primary"), json(body.encode()));
  }

  @Test
  void aParentSignatureUnderAnotherKeyIsRefused() {
    JsonObject body = new JsonObject(signedBody("1700000000", "tok", hmacHex("key-subaccount", "1700000000tok")));
    body.getJsonObject("signature").put("parent-signature", hmacHex("key-other-primary", "1700000000tok"));
    assertRefused(provider("key-primary"), json(body.encode()));
  }

  // --- freshness ---

  @Test
  void withoutATimestampToleranceAnOldButValidSignatureVerifiesSoRetriesAreNeverLost() {
    assertVerifies(provider(SYMFONY_KEY), json(vectorBody()));
  }

  @Test
  void withATimestampToleranceASignatureWithinItVerifies() {
    MailgunProvider provider = provider(new JsonObject().put("timestamp_tolerance", "24h"), "key-test");
    assertVerifies(provider, json(signedNow(Duration.ofHours(-23))));
    assertVerifies(provider, json(signedNow(Duration.ofMinutes(5))));
  }

  @Test
  void withATimestampToleranceAStaleSignatureIsRefused() {
    assertRefused(provider(new JsonObject().put("timestamp_tolerance", "24h"), "key-test"), json(signedNow(Duration.ofHours(-25))));
  }

  @Test
  void withATimestampToleranceASignatureFromTheFarFutureIsRefused() {
    assertRefused(provider(new JsonObject().put("timestamp_tolerance", "24h"), "key-test"), json(signedNow(Duration.ofHours(25))));
  }

  @Test
  void withATimestampToleranceAnOutOfRangeSignedTimestampIsRefusedNotACrash() {
    String timestamp = "99999999999999999";
    String body = signedBody(timestamp, "tok", hmacHex("key-test", timestamp + "tok"));
    assertRefused(provider(new JsonObject().put("timestamp_tolerance", "24h"), "key-test"), json(body));
  }

  @Test
  void aToleranceShorterThanMailgunsRetrySpanIsAConfigurationError() {
    assertThatThrownBy(() -> provider(new JsonObject().put("timestamp_tolerance", "5m"), "key-test"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sources[0].timestamp_tolerance");
  }

  @Test
  void aToleranceOfZeroTurnsTheWindowOff() {
    assertVerifies(provider(new JsonObject().put("timestamp_tolerance", "0s"), SYMFONY_KEY), json(vectorBody()));
  }

  // --- configuration ---

  @Test
  void aSourceWithoutSigningKeysIsMissingCredentials() {
    assertThatThrownBy(() -> provider()).isInstanceOf(MissingCredentialsException.class)
        .hasMessageContaining("sources[0].signing_keys");
    assertThatThrownBy(() -> provider("", "  ")).isInstanceOf(MissingCredentialsException.class);
  }

  @ParameterizedTest
  @CsvSource({"application/json, true", "application/x-www-form-urlencoded, true", "multipart/form-data, true",
      "text/plain, false", "application/xml, false"})
  void acceptsJsonAndFormContentTypesOnly(String mediaType, boolean accepted) {
    assertThat(provider("key-test").acceptsContentType(mediaType)).isEqualTo(accepted);
  }

  // --- legacy form webhooks ---

  @Test
  void aLegacyFormPostVerifiesByItsFormFields() {
    String form = "event=delivered&recipient=a%40example.com&timestamp=1461261330&token=tok123&signature="
        + hmacHex("key-test", "1461261330tok123");
    assertVerifies(provider("key-test"), form(form));
  }

  @Test
  void inALegacyFormMailgunsSignatureFieldsAreTheLastOccurrence() {
    String real = "timestamp=1461261330&token=tok123&signature=" + hmacHex("key-test", "1461261330tok123");
    String variables = "timestamp=metadata-timestamp&token=metadata-token&signature=metadata-signature";
    assertVerifies(provider("key-test"), form("event=clicked&" + variables + "&" + real));
    assertRefused(provider("key-test"), form("event=clicked&" + real + "&" + variables));
  }

  @Test
  void aLegacyFormPostWithoutSignatureFieldsIsRefused() {
    assertRefused(provider("key-test"), form("event=delivered&recipient=a%40example.com"));
  }

  @Test
  void aLegacyMultipartPostVerifiesAndSkipsTheAttachedMessage() {
    ConformanceCorpus.Case bounced = ConformanceCorpus.cases("mailgun")
        .filter(c -> c.name().equals("legacy_multipart_bounced_with_attachment")).findFirst().orElseThrow();
    MailgunProvider provider = provider("key-test");
    assertVerifies(provider, bounced.request());
    assertThat(provider.parse(bounced.request()).get(0).espEvent().fieldNames())
        .contains("event", "code", "message-headers").doesNotContain("attachment-1");
  }

  @Test
  void aLegacyInboundMessagePostedToTheTrackingUrlIsABadRequest() {
    assertThatThrownBy(() -> provider("key-test").parse(form("sender=a%40example.com&recipient=b%40example.com&subject=hi")))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @ParameterizedTest(name = "code {0} → {1}")
  @CsvSource({"499, TIMED_OUT", "605, BOUNCED", "606, UNSUBSCRIBED", "607, SPAM", "550, BOUNCED", "421, BOUNCED",
      "200, OTHER", "5.1.1, BOUNCED", "4.2.2, BOUNCED", "2.0.0, OTHER", "garbage, OTHER"})
  void legacyCodesMapToRejectReasons(String code, RejectReason reason) {
    assertThat(MailgunLegacyEvents.rejectReason(code)).isEqualTo(reason);
  }

  // --- mapping of current webhooks ---

  static Stream<Arguments> currentMapping() {
    return Stream.of(
        Arguments.of("accepted", null, null, "queued", null, null),
        Arguments.of("delivered", null, null, "delivered", null, null),
        Arguments.of("failed", "permanent", "bounce", "bounced", "hard", "bounced"),
        Arguments.of("failed", "permanent", "old", "bounced", "soft", "timed_out"),
        Arguments.of("failed", "permanent", "generic", "bounced", "hard", "other"),
        Arguments.of("failed", "temporary", "generic", "deferred", null, "other"),
        Arguments.of("failed", "temporary", "greylisted", "deferred", null, "other"),
        Arguments.of("failed", "temporary", "espblock", "deferred", null, "blocked"),
        Arguments.of("failed", "permanent", "suppress-bounce", "rejected", null, "bounced"),
        Arguments.of("failed", "permanent", "suppress-complaint", "rejected", null, "spam"),
        Arguments.of("failed", "permanent", "suppress-unsubscribe", "rejected", null, "unsubscribed"),
        Arguments.of("rejected", null, null, "rejected", null, "other"),
        Arguments.of("opened", null, null, "opened", null, null),
        Arguments.of("clicked", null, null, "clicked", null, null),
        Arguments.of("unsubscribed", null, null, "unsubscribed", null, null),
        Arguments.of("complained", null, null, "complained", null, null),
        Arguments.of("stored", null, null, "unknown", null, null),
        Arguments.of("list_member_uploaded", null, null, "unknown", null, null));
  }

  @ParameterizedTest(name = "{0}/{1}/{2} → {3} {4} {5}")
  @MethodSource("currentMapping")
  void currentEventsMapToTheNormalizedVocabulary(String event, String severity, String reason,
      String type, String bounceType, String rejectReason) {
    JsonObject data = new JsonObject().put("event", event).put("timestamp", 1700000000.5).put("recipient", "a@example.com");
    if (severity != null) {
      data.put("severity", severity);
    }
    if (reason != null) {
      data.put("reason", reason);
    }
    JsonObject normalized = parseOne(payload(data)).toJson();
    assertThat(normalized.getString("type")).isEqualTo(type);
    assertThat(normalized.getString("bounce_type")).isEqualTo(bounceType);
    assertThat(normalized.getString("reject_reason")).isEqualTo(rejectReason);
  }

  @Test
  void theSymfonyVectorNormalizesToItsDeliveredEvent() {
    EmailEvent event = provider(SYMFONY_KEY).parse(json(vectorBody())).get(0);
    assertThat(event.type()).isEqualTo(EventType.DELIVERED);
    assertThat(event.recipient()).isEqualTo("alice@example.com");
    assertThat(event.messageId()).isEqualTo("<20130503182626.18666.16540@app.symfony.com>");
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2018-03-19T15:11:02.000Z"));
    assertThat(event.tags()).containsExactly("my_tag_1", "my_tag_2");
    assertThat(event.metadata()).isEqualTo(new JsonObject().put("my_var_1", "Mailgun Variable #1").put("my-var-2", "awesome"));
    assertThat(event.sender()).isEqualTo("bob@app.symfony.com");
    assertThat(event.subject()).isEqualTo("Test delivered webhook");
    assertThat(event.mtaResponse()).isEqualTo("OK");
    assertThat(event.espEvent()).isEqualTo(new JsonObject(vectorBody()));
  }

  @Test
  void theEventKeyIsTheSignatureTokenAsAnymailsEventIdIs() {
    ConformanceCorpus.cases("mailgun").filter(c -> c.json().getJsonArray("expected").size() == 1
            && ConformanceCorpus.expectedEventId(c, 0) != null)
        .forEach(c -> assertThat(provider("key-test").parse(c.request()).get(0).eventKey())
            .as(c.name()).isEqualTo(ConformanceCorpus.expectedEventId(c, 0)));
    assertThat(provider(SYMFONY_KEY).parse(json(vectorBody())).get(0).eventKey()).isEqualTo(VECTOR_TOKEN);
  }

  @Test
  void aForgedEventUnderACapturedSignatureBlockGetsTheOriginalsKeySoItIsStoredAsADuplicate() {
    JsonObject forged = new JsonObject(vectorBody());
    forged.getJsonObject("event-data").put("id", "forged-id").put("event", "complained").put("recipient", "victim@example.com");
    MailgunProvider provider = provider(SYMFONY_KEY);
    assertVerifies(provider, json(forged.encode()));
    assertThat(provider.parse(json(forged.encode())).get(0).eventKey())
        .isEqualTo(provider.parse(json(vectorBody())).get(0).eventKey());
  }

  @Test
  void withoutAnEventTimestampTheEventTimeIsTheSignatureTimestamp() {
    JsonObject data = new JsonObject().put("event", "accepted").putNull("delivery-status");
    assertThat(parseOne(payload(data)).occurredAt()).isEqualTo(Instant.ofEpochSecond(1700000000));
  }

  @Test
  void aRejectedEventWithoutRecipientTakesTheSingleAddressOfTheToHeader() {
    assertThat(MailgunEvents.singleAddress("Recipient Name <recipient@example.org>")).isEqualTo("recipient@example.org");
    assertThat(MailgunEvents.singleAddress("recipient@example.org")).isEqualTo("recipient@example.org");
    assertThat(MailgunEvents.singleAddress("A <a@example.org>, B <b@example.org>")).isNull();
    assertThat(MailgunEvents.singleAddress("undisclosed-recipients:;")).isNull();
  }

  @Test
  void aPayloadWithoutEventDataIsABadRequest() {
    assertThatThrownBy(() -> provider("key-test").parse(json(signedBody("1700000000", "tok", "sig").replace("event-data", "other"))))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  // --- helpers ---

  private static MailgunProvider provider(String... keys) {
    return provider(new JsonObject(), keys);
  }

  private static MailgunProvider provider(JsonObject settings, String... keys) {
    JsonObject json = new JsonObject().put("id", "mg").put("provider", "mailgun")
        .put("signing_keys", new JsonArray(List.of((Object[]) keys))).mergeIn(settings);
    return new MailgunProvider(SourceConfig.from(new ConfigSection(json, "sources[0]")));
  }

  private static EmailEvent parseOne(String body) {
    List<EmailEvent> events = provider("key-test").parse(json(body));
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  private static String payload(JsonObject eventData) {
    return new JsonObject().put("signature", new JsonObject().put("timestamp", "1700000000").put("token", "tok")
        .put("signature", hmacHex("key-test", "1700000000tok"))).put("event-data", eventData).encode();
  }

  private static String signedBody(String timestamp, String token, String signature) {
    return new JsonObject()
        .put("signature", new JsonObject().put("token", token).put("timestamp", timestamp).put("signature", signature))
        .put("event-data", new JsonObject().put("event", "delivered").put("recipient", "alice@example.com"))
        .encode();
  }

  private static String signedNow(Duration offset) {
    String timestamp = Long.toString(Instant.now().plus(offset).getEpochSecond());
    return signedBody(timestamp, "fresh-token", hmacHex("key-test", timestamp + "fresh-token"));
  }

  static String hmacHex(String key, String message) {
    return HexFormat.of().formatHex(Hmacs.hmac("HmacSHA256", key.getBytes(UTF_8), message.getBytes(UTF_8)));
  }

  private static WebhookRequest json(String body) {
    return TestRequests.json(Map.of(), body.getBytes(UTF_8));
  }

  private static WebhookRequest form(String body) {
    return TestRequests.request("application/x-www-form-urlencoded", Map.of(), body.getBytes(UTF_8));
  }

  private static void assertVerifies(WebhookProvider provider, WebhookRequest request) {
    Future<Void> result = provider.authenticate(request);
    assertThat(result.succeeded()).as("verified, but failed with %s", result.cause()).isTrue();
  }

  private static void assertRefused(WebhookProvider provider, WebhookRequest request) {
    Future<Void> result = provider.authenticate(request);
    assertThat(result.failed()).as("refused").isTrue();
    assertThat(result.cause()).isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(401));
  }
}
