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
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Resend over Svix: the Symfony/Resend vector of REFERENCE.md §16.4 and Resend's event mapping. */
class ResendProviderTest {
  private static final String SECRET = "whsec_ESwTAuuIe3yfH4DgdgI+ENsiNzPAGdp+";
  private static final String OTHER_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "172c41ce-ba6d-4281-8a7a-541faa725748";
  private static final long SIGNED_AT = 1712569389L;
  private static final String SIGNATURE = "v1,4wjuRp64yC/2itgCQwl2xPePVwSPTdPbXLIY6IxGLTA=";
  private static final byte[] BODY = TestRequests.resource("vectors/resend_sent.body");

  @Test
  void officialVectorVerifiesAtItsOwnTime() {
    assertThat(provider(SIGNED_AT).authenticate(vectorRequest()).succeeded()).isTrue();
  }

  @ParameterizedTest(name = "{0} s from the signing time")
  @ValueSource(longs = {-300, -1, 1, 300})
  void vectorVerifiesAnywhereInsideTheFiveMinuteWindow(long offset) {
    assertThat(provider(SIGNED_AT + offset).authenticate(vectorRequest()).succeeded()).isTrue();
  }

  @Test
  void vectorReplayedMoreThanFiveMinutesLaterIsRefused() {
    assertRefused(provider(SIGNED_AT + 301).authenticate(vectorRequest()), "timestamp outside");
  }

  @Test
  void vectorDatedMoreThanFiveMinutesAheadOfUsIsRefused() {
    assertRefused(provider(SIGNED_AT - 301).authenticate(vectorRequest()), "timestamp outside");
  }

  @Test
  void aLongerConfiguredToleranceAcceptsAnOlderDelivery() {
    JsonObject settings = settings(SECRET).put("timestamp_tolerance", "1h");
    ResendProvider provider = new ResendProvider(source(settings), clockAt(SIGNED_AT + 3000));
    assertThat(provider.authenticate(vectorRequest()).succeeded()).isTrue();
  }

  @Test
  void aBodyChangedByOneByteIsRefused() {
    byte[] tampered = BODY.clone();
    tampered[new String(BODY, StandardCharsets.US_ASCII).indexOf('@')] ^= 1;
    assertRefused(provider(SIGNED_AT).authenticate(request(vectorHeaders(), tampered)), "does not match");
  }

  @Test
  void theSameJsonWithoutItsCrlfLineEndsIsRefused() {
    byte[] reserialized = new String(BODY, StandardCharsets.UTF_8).replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8);
    assertRefused(provider(SIGNED_AT).authenticate(request(vectorHeaders(), reserialized)), "does not match");
  }

  @Test
  void aSecretOtherThanTheSendersIsRefused() {
    ResendProvider provider = new ResendProvider(source(settings(OTHER_SECRET)), clockAt(SIGNED_AT));
    assertRefused(provider.authenticate(vectorRequest()), "does not match");
  }

  @Test
  void theSecondConfiguredSecretVerifiesDuringARotation() {
    ResendProvider provider = new ResendProvider(source(settings(OTHER_SECRET, SECRET)), clockAt(SIGNED_AT));
    assertThat(provider.authenticate(vectorRequest()).succeeded()).isTrue();
  }

  @Test
  void aSignatureListVerifiesWhenAnyV1EntryMatches() {
    Map<String, String> headers = vectorHeaders();
    headers.put("svix-signature", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1a,Ceo5qEr07ixe2NLpvHk3FH9bwy "
        + "v1,not-base64!! " + SIGNATURE);
    assertThat(provider(SIGNED_AT).authenticate(request(headers, BODY)).succeeded()).isTrue();
  }

  @Test
  void theValidDigestUnderAnotherVersionTagIsRefused() {
    Map<String, String> headers = vectorHeaders();
    headers.put("svix-signature", SIGNATURE.replace("v1,", "v1a,"));
    assertRefused(provider(SIGNED_AT).authenticate(request(headers, BODY)), "no v1 signature");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"svix-id", "svix-timestamp", "svix-signature"})
  void aMissingSvixHeaderIsRefused(String header) {
    Map<String, String> headers = vectorHeaders();
    headers.remove(header);
    assertRefused(provider(SIGNED_AT).authenticate(request(headers, BODY)), "header missing");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"svix-id", "svix-timestamp", "svix-signature"})
  void anEmptySvixHeaderIsRefused(String header) {
    Map<String, String> headers = vectorHeaders();
    headers.put(header, "");
    assertRefused(provider(SIGNED_AT).authenticate(request(headers, BODY)), "header missing");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({"svix-id, msg_other", "svix-timestamp, 1712569390"})
  void theIdAndTimestampAreCoveredByTheSignature(String header, String value) {
    Map<String, String> headers = vectorHeaders();
    headers.put(header, value);
    assertRefused(provider(SIGNED_AT).authenticate(request(headers, BODY)), "does not match");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"1712569389.0", "-1712569389", "17125693890000000", "now"})
  void aTimestampThatIsNotUnixSecondsIsRefused(String timestamp) {
    Map<String, String> headers = vectorHeaders();
    headers.put("svix-timestamp", timestamp);
    assertRefused(provider(SIGNED_AT).authenticate(request(headers, BODY)), "not unix seconds");
  }

  @Test
  void unbrandedStandardWebhooksHeadersAreAcceptedToo() {
    Map<String, String> headers = Map.of("webhook-id", ID, "webhook-timestamp", Long.toString(SIGNED_AT), "webhook-signature", SIGNATURE);
    assertThat(provider(SIGNED_AT).authenticate(request(new HashMap<>(headers), BODY)).succeeded()).isTrue();
  }

  @Test
  void svixAndUnbrandedHeadersAreNeverMixed() {
    Map<String, String> headers = vectorHeaders();
    headers.remove("svix-id");
    headers.put("webhook-id", ID);
    assertRefused(provider(SIGNED_AT).authenticate(request(headers, BODY)), "header missing");
  }

  @Test
  void theVectorBodyNormalizesWithTheSvixIdAsKey() {
    EmailEvent event = provider(SIGNED_AT).parse(vectorRequest()).get(0);
    assertThat(event.eventKey()).isEqualTo(ID);
    assertThat(event.type()).isEqualTo(EventType.SENT);
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2024-04-08T09:43:09.500Z"));
    assertThat(event.messageId()).isEqualTo("172c41ce-ba6d-4281-8a7a-541faa725748");
    assertThat(event.recipient()).isEqualTo("test@example.com");
    assertThat(event.sender()).isEqualTo("test@resend.com");
    assertThat(event.subject()).isEqualTo("Test subject");
    assertThat(event.espEvent()).isEqualTo(new JsonObject(new String(BODY, StandardCharsets.UTF_8)));
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
      "email.sent, SENT", "email.delivered, DELIVERED", "email.delivery_delayed, DEFERRED",
      "email.delivered_delayed, DEFERRED", "email.complained, COMPLAINED", "email.bounced, BOUNCED",
      "email.opened, OPENED", "email.clicked, CLICKED", "email.failed, FAILED",
      "email.received, UNKNOWN", "contact.created, UNKNOWN", "domain.updated, UNKNOWN"})
  void resendTypesMapToNormalizedTypes(String resendType, EventType expected) {
    JsonObject event = new JsonObject().put("type", resendType).put("created_at", "2024-04-08T09:43:09.500Z")
        .put("data", new JsonObject().put("email_id", "e-1").put("to", new JsonArray().add("a@example.com")));
    assertThat(parseOne(event).type()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', value = {
      "Resend has suppressed sending to this address because it is on the account-level suppression list.|BLOCKED",
      "The recipient's email provider sent a hard bounce message, but didn't specify the reason.|BOUNCED",
      "The recipient's email provider sent a general bounce message.|BOUNCED",
      "Something Resend has not said before.|OTHER"})
  void theRejectReasonIsReadFromTheBounceMessage(String message, RejectReason expected) {
    assertThat(ResendProvider.rejectReason(message)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "bounce.type {0} → {1}")
  @CsvSource({"Permanent, HARD", "Transient, SOFT", "Undetermined, HARD", "'', HARD"})
  void bouncesAreHardUnlessResendSaysTransient(String bounceType, BounceType expected) {
    JsonObject bounce = new JsonObject().put("message", "The recipient's email provider sent a bounce message.");
    if (!bounceType.isEmpty()) {
      bounce.put("type", bounceType);
    }
    JsonObject event = new JsonObject().put("type", "email.bounced").put("created_at", "2024-04-08T09:43:09.500Z")
        .put("data", new JsonObject().put("to", new JsonArray().add("a@example.com")).put("bounce", bounce));
    assertThat(parseOne(event).bounceType()).isEqualTo(expected);
  }

  @Test
  void nonBounceEventsCarryNoBounceTypeOrRejectReason() {
    EmailEvent event = provider(SIGNED_AT).parse(vectorRequest()).get(0);
    assertThat(event.bounceType()).isNull();
    assertThat(event.rejectReason()).isNull();
  }

  @Test
  void resendNativeTagsBecomeMetadataWhenNoXMetadataHeaderIsThere() {
    JsonObject event = new JsonObject().put("type", "email.sent").put("created_at", "2024-04-08T09:43:09.500Z")
        .put("data", new JsonObject().put("tags", new JsonArray()
            .add(new JsonObject().put("name", "category").put("value", "welcome"))));
    assertThat(parseOne(event).metadata()).isEqualTo(new JsonObject().put("category", "welcome"));
  }

  @Test
  void withoutASvixIdTheKeyIsTheContentHash() {
    JsonObject event = new JsonObject().put("type", "email.opened").put("created_at", "2024-04-08T09:43:09.500Z");
    EmailEvent parsed = provider(SIGNED_AT).parse(request(new HashMap<>(), event.toBuffer().getBytes())).get(0);
    assertThat(parsed.eventKey()).startsWith("sha256:");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"created_at\":\"2024-04-08T09:43:09.500Z\"}", "{\"type\":\"email.sent\"}",
      "{\"type\":\"email.sent\",\"created_at\":\"yesterday\"}", "[]", "not json"})
  void aBodyThatIsNotAResendEventIsRefusedWith400(String body) {
    assertThatThrownBy(() -> provider(SIGNED_AT).parse(request(vectorHeaders(), body.getBytes(StandardCharsets.UTF_8))))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void aSourceWithoutSecretsIsDisabled() {
    assertThatThrownBy(() -> new ResendProvider(source(settings())))
        .isInstanceOf(MissingCredentialsException.class).hasMessageContaining("sources[0].signing_secrets");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"whsec_not base64!", "whsec_"})
  void aSecretThatIsNotBase64StopsStartUpWithoutEchoingIt(String secret) {
    assertThatThrownBy(() -> new ResendProvider(source(settings(secret))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sources[0].signing_secrets")
        .hasMessageNotContaining("not base64!");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"0s", "0ms"})
  void aZeroToleranceIsRefused(String tolerance) {
    assertThatThrownBy(() -> new ResendProvider(source(settings(SECRET).put("timestamp_tolerance", tolerance))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("timestamp_tolerance");
  }

  @Test
  void onlyJsonIsAccepted() {
    assertThat(provider(SIGNED_AT).acceptsContentType("application/json")).isTrue();
    assertThat(provider(SIGNED_AT).acceptsContentType("application/x-www-form-urlencoded")).isFalse();
  }

  private EmailEvent parseOne(JsonObject event) {
    List<EmailEvent> events = provider(SIGNED_AT).parse(request(vectorHeaders(), event.toBuffer().getBytes()));
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  static void assertRefused(Future<Void> result, String reason) {
    assertThat(result.failed()).as("refused").isTrue();
    assertThat(result.cause()).isInstanceOfSatisfying(WebhookException.class, e -> {
      assertThat(e.status()).isEqualTo(401);
      assertThat(e.reason()).contains(reason);
    });
  }

  private static ResendProvider provider(long nowEpochSeconds) {
    return new ResendProvider(source(settings(SECRET)), clockAt(nowEpochSeconds));
  }

  private static Clock clockAt(long epochSeconds) {
    return Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC);
  }

  private static JsonObject settings(String... secrets) {
    return new JsonObject().put("id", "resend-main").put("provider", "resend")
        .put("signing_secrets", new JsonArray(List.of((Object[]) secrets)));
  }

  private static SourceConfig source(JsonObject settings) {
    return SourceConfig.from(new ConfigSection(settings, "sources[0]"));
  }

  private static Map<String, String> vectorHeaders() {
    return new HashMap<>(Map.of("svix-id", ID, "svix-timestamp", Long.toString(SIGNED_AT), "svix-signature", SIGNATURE));
  }

  private static WebhookRequest vectorRequest() {
    return request(vectorHeaders(), BODY);
  }

  private static WebhookRequest request(Map<String, String> headers, byte[] body) {
    return TestRequests.json(headers, body);
  }
}
