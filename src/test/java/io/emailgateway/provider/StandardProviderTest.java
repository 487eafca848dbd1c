package io.emailgateway.provider;

import static io.emailgateway.provider.ResendProviderTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Any Standard Webhooks sender (typically another gateway forwarding normalized events): the
 * official {@code sign()} vector of REFERENCE.md §16.4 and the mapping back into events.
 */
class StandardProviderTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long SIGNED_AT = 1614265330L;
  private static final byte[] VECTOR_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
  private static final String VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  @Test
  void officialSignVectorVerifiesAtItsOwnTime() {
    assertThat(provider(SIGNED_AT, SECRET).authenticate(vectorRequest(VECTOR_SIGNATURE)).succeeded()).isTrue();
  }

  @Test
  void officialVectorWithItsLastCharacterChangedIsRefused() {
    assertRefused(provider(SIGNED_AT, SECRET).authenticate(vectorRequest("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=")),
        "does not match");
  }

  @Test
  void officialMultiSignatureHeaderVerifies() {
    String header = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
        + VECTOR_SIGNATURE + " v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
    assertThat(provider(SIGNED_AT, SECRET).authenticate(vectorRequest(header)).succeeded()).isTrue();
  }

  @Test
  void officialVectorOutsideTheWindowIsRefused() {
    assertRefused(provider(SIGNED_AT + 301, SECRET).authenticate(vectorRequest(VECTOR_SIGNATURE)), "timestamp outside");
    assertRefused(provider(SIGNED_AT - 301, SECRET).authenticate(vectorRequest(VECTOR_SIGNATURE)), "timestamp outside");
  }

  @Test
  void theSecretMayBeGivenWithoutItsPrefix() {
    assertThat(provider(SIGNED_AT, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").authenticate(vectorRequest(VECTOR_SIGNATURE)).succeeded()).isTrue();
  }

  @Test
  void aSecretWhoseBase64PaddingWasDroppedStillVerifies() {
    byte[] key = "a 25 byte long secret key".getBytes(StandardCharsets.US_ASCII);
    String unpadded = "whsec_" + Base64.getEncoder().withoutPadding().encodeToString(key);
    byte[] body = event("delivered").encode().getBytes(StandardCharsets.UTF_8);
    WebhookRequest request = signed(key, "msg_1", SIGNED_AT, body);
    assertThat(provider(SIGNED_AT, unpadded).authenticate(request).succeeded()).isTrue();
  }

  @Test
  void theSecondConfiguredSecretVerifiesDuringARotation() {
    StandardProvider provider = provider(SIGNED_AT, "whsec_ESwTAuuIe3yfH4DgdgI+ENsiNzPAGdp+", SECRET);
    assertThat(provider.authenticate(vectorRequest(VECTOR_SIGNATURE)).succeeded()).isTrue();
  }

  @Test
  void aSecretOtherThanTheSendersIsRefused() {
    assertRefused(provider(SIGNED_AT, "whsec_ESwTAuuIe3yfH4DgdgI+ENsiNzPAGdp+").authenticate(vectorRequest(VECTOR_SIGNATURE)),
        "does not match");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"webhook-id", "webhook-timestamp", "webhook-signature"})
  void aMissingHeaderIsRefused(String header) {
    Map<String, String> headers = vectorHeaders(VECTOR_SIGNATURE);
    headers.remove(header);
    assertRefused(provider(SIGNED_AT, SECRET).authenticate(TestRequests.json(headers, VECTOR_BODY)), "header missing");
  }

  @Test
  void svixBrandedHeadersAreAcceptedToo() {
    Map<String, String> headers = Map.of("svix-id", MSG_ID, "svix-timestamp", Long.toString(SIGNED_AT), "svix-signature", VECTOR_SIGNATURE);
    assertThat(provider(SIGNED_AT, SECRET).authenticate(TestRequests.json(headers, VECTOR_BODY)).succeeded()).isTrue();
  }

  @Test
  void aForwardedEventSignedWithTheSourceSecretIsAcceptedAndStoredUnderItsOwnKey() {
    byte[] key = Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    byte[] body = event("complained").put("event_key", "sg-123").encode().getBytes(StandardCharsets.UTF_8);
    WebhookRequest request = signed(key, "evt-42", SIGNED_AT, body);
    StandardProvider provider = provider(SIGNED_AT, SECRET);
    assertThat(provider.authenticate(request).succeeded()).isTrue();
    EmailEvent event = provider.parse(request).get(0);
    assertThat(event.eventKey()).isEqualTo("sg-123");
    assertThat(event.source()).isEqualTo("forwarded");
    assertThat(event.provider()).isEqualTo("standard");
  }

  @Test
  void withoutAnEventKeyTheWebhookIdIsTheKeySoRetriesDeduplicate() {
    byte[] body = event("opened").encode().getBytes(StandardCharsets.UTF_8);
    EmailEvent event = provider(SIGNED_AT, SECRET).parse(TestRequests.json(Map.of("webhook-id", "evt-7"), body)).get(0);
    assertThat(event.eventKey()).isEqualTo("evt-7");
  }

  @Test
  void eventsOfAnArrayAreKeyedByWebhookIdAndPosition() {
    byte[] body = new JsonArray().add(event("sent")).add(event("delivered").put("event_key", "own"))
        .add(event("opened")).encode().getBytes(StandardCharsets.UTF_8);
    List<EmailEvent> events = provider(SIGNED_AT, SECRET).parse(TestRequests.json(Map.of("svix-id", "evt-8"), body));
    assertThat(events).extracting(EmailEvent::eventKey).containsExactly("evt-8:0", "own", "evt-8:2");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(EventType.class)
  void everyNormalizedTypeRoundTrips(EventType type) {
    EmailEvent original = EmailEvent.builder("upstream", "mailgun").type(type)
        .bounceType(type == EventType.BOUNCED ? BounceType.SOFT : null)
        .rejectReason(type == EventType.BOUNCED ? RejectReason.TIMED_OUT : null)
        .occurredAt(Instant.parse("2024-05-01T10:00:00.123Z")).messageId("m-1").recipient("a@example.com")
        .sender("s@example.com").subject("Hi").tags(List.of("t1", "t2")).metadata(new JsonObject().put("k", "v"))
        .clickUrl("https://example.com").userAgent("UA").ip("192.0.2.1").mtaResponse("250 ok").description("d")
        .espEvent(new JsonObject().put("event", "x")).build();
    byte[] body = original.toJson().encode().getBytes(StandardCharsets.UTF_8);
    EmailEvent copy = provider(SIGNED_AT, SECRET).parse(TestRequests.json(Map.of("webhook-id", "w"), body)).get(0);
    JsonObject expected = original.toJson().put("source", "forwarded").put("provider", "standard")
        .put("esp_event", original.toJson());
    assertThat(copy.toJson()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"[{\"type\":\"sent\"}]", "{\"occurred_at\":\"2024-05-01T10:00:00Z\"}",
      "{\"type\":\"sent\",\"occurred_at\":\"May 1st\"}", "[1]", "\"sent\"", "{"})
  void aBodyThatIsNotNormalizedEventsIsRefusedWith400(String body) {
    assertThatThrownBy(() -> provider(SIGNED_AT, SECRET).parse(TestRequests.json(Map.of(), body.getBytes(StandardCharsets.UTF_8))))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void aSourceWithoutSecretsIsDisabled() {
    assertThatThrownBy(() -> new StandardProvider(source(new JsonArray().add(""))))
        .isInstanceOf(MissingCredentialsException.class);
  }

  private static JsonObject event(String type) {
    return new JsonObject().put("type", type).put("occurred_at", "2024-05-01T10:00:00.000Z").put("recipient", "a@example.com");
  }

  private static WebhookRequest signed(byte[] key, String id, long timestamp, byte[] body) {
    byte[] mac = Hmacs.hmac("HmacSHA256", key, (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
    Map<String, String> headers = Map.of("webhook-id", id, "webhook-timestamp", Long.toString(timestamp),
        "webhook-signature", "v1," + Base64.getEncoder().encodeToString(mac));
    return TestRequests.json(headers, body);
  }

  private static StandardProvider provider(long nowEpochSeconds, String... secrets) {
    return new StandardProvider(source(new JsonArray(List.of((Object[]) secrets))),
        Clock.fixed(Instant.ofEpochSecond(nowEpochSeconds), ZoneOffset.UTC));
  }

  private static SourceConfig source(JsonArray secrets) {
    JsonObject settings = new JsonObject().put("id", "forwarded").put("provider", "standard").put("signing_secrets", secrets);
    return SourceConfig.from(new ConfigSection(settings, "sources[0]"));
  }

  private static Map<String, String> vectorHeaders(String signature) {
    return new HashMap<>(Map.of("webhook-id", MSG_ID, "webhook-timestamp", Long.toString(SIGNED_AT), "webhook-signature", signature));
  }

  private static WebhookRequest vectorRequest(String signature) {
    return TestRequests.json(vectorHeaders(signature), VECTOR_BODY);
  }
}
