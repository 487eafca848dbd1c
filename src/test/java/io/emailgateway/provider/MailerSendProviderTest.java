package io.emailgateway.provider;

import static io.emailgateway.provider.ResendProviderTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MailerSend: the Symfony vector of REFERENCE.md §16.5 and the activity mapping. */
class MailerSendProviderTest {
  private static final String SECRET = "GvLY88Uyj70jQm3fUwYyWmAaiz98wWim";
  private static final String SIGNATURE = "e60f87b019f0aaae29042b14762991765ebb0cd6f6d42884af9fccca4cbd16e7";
  private static final byte[] BODY = TestRequests.resource("vectors/mailersend_sent.body");

  @Test
  void officialVectorVerifies() {
    assertThat(provider(SECRET).authenticate(request(SIGNATURE, BODY)).succeeded()).isTrue();
  }

  @Test
  void theSignatureInUpperCaseHexVerifiesToo() {
    assertThat(provider(SECRET).authenticate(request(SIGNATURE.toUpperCase(Locale.ROOT), BODY)).succeeded()).isTrue();
  }

  @Test
  void aBodyChangedByOneByteIsRefused() {
    byte[] tampered = new String(BODY, StandardCharsets.UTF_8).replace("test@example.com", "test@example.org")
        .getBytes(StandardCharsets.UTF_8);
    assertRefused(provider(SECRET).authenticate(request(SIGNATURE, tampered)), "does not match");
  }

  @Test
  void theSameJsonReserializedIsRefused() {
    byte[] reserialized = new JsonObject(new String(BODY, StandardCharsets.UTF_8)).encode().getBytes(StandardCharsets.UTF_8);
    assertRefused(provider(SECRET).authenticate(request(SIGNATURE, reserialized)), "does not match");
  }

  @Test
  void aSecretOtherThanTheWebhooksIsRefused() {
    assertRefused(provider("another-signing-secret").authenticate(request(SIGNATURE, BODY)), "does not match");
  }

  @Test
  void theSecondConfiguredSecretVerifiesDuringARotation() {
    assertThat(provider("the-old-secret", SECRET).authenticate(request(SIGNATURE, BODY)).succeeded()).isTrue();
  }

  @Test
  void aMissingSignatureHeaderIsRefused() {
    assertRefused(provider(SECRET).authenticate(TestRequests.json(Map.of(), BODY)), "missing");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "  "})
  void anEmptySignatureHeaderIsRefused(String value) {
    assertRefused(provider(SECRET).authenticate(request(value, BODY)), "missing");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sha256=e60f87b019f0aaae29042b14762991765ebb0cd6f6d42884af9fccca4cbd16e7", "zz"})
  void aSignatureThatIsNotHexIsRefused(String value) {
    assertRefused(provider(SECRET).authenticate(request(value, BODY)), "not hex");
  }

  @Test
  void aTruncatedSignatureIsRefused() {
    assertRefused(provider(SECRET).authenticate(request(SIGNATURE.substring(0, 32), BODY)), "not a SHA-256");
  }

  @Test
  void theVectorBodyNormalizes() {
    EmailEvent event = provider(SECRET).parse(request(SIGNATURE, BODY)).get(0);
    assertThat(event.eventKey()).isEqualTo("62f114f8165fe0d8db0288e5");
    assertThat(event.type()).isEqualTo(EventType.SENT);
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2024-01-01T12:00:00Z"));
    assertThat(event.messageId()).isEqualTo("62fb66bef54a112e920b5493");
    assertThat(event.recipient()).isEqualTo("test@example.com");
    assertThat(event.tags()).containsExactly("test-tag");
    assertThat(event.espEvent()).isEqualTo(new JsonObject(new String(BODY, StandardCharsets.UTF_8)));
  }

  @ParameterizedTest(name = "{0} → {1} {2}")
  @CsvSource({
      "sent, SENT, ", "delivered, DELIVERED, ", "hard_bounced, BOUNCED, HARD", "soft_bounced, BOUNCED, SOFT",
      "opened, OPENED, ", "clicked, CLICKED, ", "unsubscribed, UNSUBSCRIBED, ", "spam_complaint, COMPLAINED, ",
      "opened_unique, UNKNOWN, ", "clicked_unique, UNKNOWN, ", "survey_opened, UNKNOWN, ", "survey_submitted, UNKNOWN, "})
  void activityTypesMapToNormalizedTypes(String activity, EventType type, BounceType bounceType) {
    EmailEvent event = parse(activity(activity, null));
    assertThat(event.type()).isEqualTo(type);
    assertThat(event.bounceType()).isEqualTo(bounceType);
  }

  @ParameterizedTest(name = "morph.object {0} → {1}")
  @CsvSource({"recipient_bounce, BOUNCED", "spam_complaint, SPAM", "recipient_unsubscribe, UNSUBSCRIBED", "open, ", "click, "})
  void theRejectReasonComesFromTheMorphObject(String morphObject, RejectReason reason) {
    EmailEvent event = parse(activity("hard_bounced", new JsonObject().put("object", morphObject)));
    assertThat(event.rejectReason()).isEqualTo(reason);
  }

  @Test
  void theReadableReasonIsPreferredOverTheReasonCode() {
    JsonObject morph = new JsonObject().put("object", "recipient_unsubscribe").put("reason", "option_3")
        .put("readable_reason", "I get too many emails");
    assertThat(parse(activity("unsubscribed", morph)).description()).isEqualTo("I get too many emails");
  }

  @Test
  void nullTagsAreNoTags() {
    JsonObject body = activity("sent", null);
    body.getJsonObject("data").getJsonObject("email").putNull("tags");
    assertThat(parse(body).tags()).isEmpty();
  }

  @Test
  void aNonActivityNoticeIsStoredAsUnknownAtTheWrappersTime() {
    JsonObject body = new JsonObject().put("type", "maintenance.start").put("created_at", "2024-02-01T00:00:00.000000Z")
        .put("data", new JsonObject().put("message", "scheduled maintenance"));
    EmailEvent event = parse(body);
    assertThat(event.type()).isEqualTo(EventType.UNKNOWN);
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2024-02-01T00:00:00Z"));
  }

  @Test
  void theFlatterShapeWithoutDataEmailIsReadToo() {
    JsonObject body = new JsonObject().put("type", "activity.delivered").put("created_at", "2025-01-01T00:00:00.000000Z")
        .put("data", new JsonObject().put("id", "a-1").put("type", "delivered").put("recipient", "r@example.com")
            .put("message_id", "m-1").put("tags", new JsonArray().add("t")));
    EmailEvent event = parse(body);
    assertThat(event.recipient()).isEqualTo("r@example.com");
    assertThat(event.messageId()).isEqualTo("m-1");
    assertThat(event.tags()).containsExactly("t");
  }

  @Test
  void theConfigurationPingYieldsNoEvent() {
    assertThat(provider(SECRET).parse(request(SIGNATURE, "{\"type\":\"webhook.test\"}".getBytes(StandardCharsets.UTF_8)))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"type\":\"inbound.message\",\"data\":{}}", "{\"type\":\"activity.sent\",\"data\":{}}", "[]"})
  void aBodyThatIsNotAnActivityIsRefusedWith400(String body) {
    assertThatThrownBy(() -> provider(SECRET).parse(request(SIGNATURE, body.getBytes(StandardCharsets.UTF_8))))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void aSourceWithoutSecretsIsDisabled() {
    assertThatThrownBy(() -> provider()).isInstanceOf(MissingCredentialsException.class)
        .hasMessageContaining("sources[0].signing_secrets");
  }

  private static JsonObject activity(String activity, JsonObject morph) {
    JsonObject email = new JsonObject().put("status", "delivered").put("tags", new JsonArray())
        .put("message", new JsonObject().put("id", "m-1")).put("recipient", new JsonObject().put("email", "r@example.com"));
    JsonObject data = new JsonObject().put("id", "a-1").put("type", activity).put("created_at", "2023-02-27T21:17:57.025000Z")
        .put("email", email).put("morph", morph);
    return new JsonObject().put("type", "activity." + activity).put("data", data);
  }

  private static EmailEvent parse(JsonObject body) {
    List<EmailEvent> events = provider(SECRET).parse(request(SIGNATURE, body.encode().getBytes(StandardCharsets.UTF_8)));
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  private static MailerSendProvider provider(String... secrets) {
    JsonObject settings = new JsonObject().put("id", "mailersend-main").put("provider", "mailersend")
        .put("signing_secrets", new JsonArray(List.of((Object[]) secrets)));
    return new MailerSendProvider(SourceConfig.from(new ConfigSection(settings, "sources[0]")));
  }

  private static WebhookRequest request(String signature, byte[] body) {
    return TestRequests.json(Map.of("Signature", signature), body);
  }
}
