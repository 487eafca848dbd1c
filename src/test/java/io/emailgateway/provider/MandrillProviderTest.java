package io.emailgateway.provider;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MandrillProviderTest {
  /** REFERENCE §16.3 A: anymail's test harness inputs, signature computed there (Mandrill publishes no vector). */
  private static final String A_KEY = "TEST_WEBHOOK_KEY";
  private static final String A_URL = "http://username:password@testserver/anymail/mandrill/";
  private static final String A_BODY = "mandrill_events=%5B%7B%22event%22%3A+%22send%22%7D%5D";
  private static final String A_SIGNATURE = "QUXzqdBD/L/blycKYMxJ4PJv7ek=";
  /** REFERENCE §16.3 B: Mandrill's URL-check post, an empty batch signed with the generic key. */
  private static final String B_URL = "https://example.com/webhook";
  private static final String B_BODY = "mandrill_events=%5B%5D";
  private static final String B_SIGNATURE = "w0287Pp/mlZMgekXJ4ut/zSzSwc=";

  // --- verification: computed vectors ---

  @Test
  void computedVectorAVerifies() {
    assertVerifies(provider(A_URL, A_KEY), form(A_BODY, A_SIGNATURE));
  }

  @Test
  void computedVectorBTheUrlCheckWithTheGenericKeyVerifiesAndYieldsNoEvents() {
    MandrillProvider provider = provider(B_URL, "the-real-webhook-key");
    assertVerifies(provider, form(B_BODY, B_SIGNATURE));
    assertThat(provider.parse(form(B_BODY, B_SIGNATURE))).isEmpty();
  }

  @Test
  void theSameFieldsPostedAsMultipartVerifyWithTheSameSignature() {
    String boundary = "b0undary";
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"mandrill_events\"\r\n\r\n"
        + "[{\"event\": \"send\"}]\r\n--" + boundary + "--\r\n";
    WebhookRequest request = TestRequests.request("multipart/form-data; boundary=" + boundary,
        Map.of("X-Mandrill-Signature", A_SIGNATURE), body.getBytes(UTF_8));
    assertVerifies(provider(A_URL, A_KEY), request);
  }

  // --- verification: negative cases ---

  @Test
  void aWrongKeyIsRefused() {
    assertRefused(provider(A_URL, "ANOTHER_KEY"), form(A_BODY, A_SIGNATURE));
  }

  @Test
  void aTamperedEventIsRefused() {
    assertRefused(provider(A_URL, A_KEY), form(A_BODY.replace("send", "open"), A_SIGNATURE));
  }

  @ParameterizedTest
  @CsvSource({"http://testserver/anymail/mandrill/", "http://username:password@testserver/anymail/mandrill",
      "https://username:password@testserver/anymail/mandrill/", "http://username:password@testserver/anymail/mandrill/?x=1"})
  void aWebhookUrlOtherThanTheSignedOneIsRefused(String configuredUrl) {
    assertRefused(provider(configuredUrl, A_KEY), form(A_BODY, A_SIGNATURE));
  }

  @Test
  void aMissingOrEmptySignatureHeaderIsRefused() {
    assertRefused(provider(A_URL, A_KEY), TestRequests.request(FormFields.URLENCODED, Map.of(), A_BODY.getBytes(UTF_8)));
    assertRefused(provider(A_URL, A_KEY), form(A_BODY, " "));
  }

  @Test
  void theGenericUrlCheckKeyIsRefusedForABatchWithEvents() {
    String signature = sign("test-webhook", A_URL + "mandrill_events[{\"event\": \"send\"}]");
    assertRefused(provider(A_URL, A_KEY), form(A_BODY, signature));
  }

  @Test
  void theGenericUrlCheckKeyIsRefusedWhenAnotherFieldRidesAlong() {
    String signature = sign("test-webhook", B_URL + "extraxmandrill_events[]");
    assertRefused(provider(B_URL, "the-real-webhook-key"), form(B_BODY + "&extra=x", signature));
  }

  @Test
  void aSignatureOverTheEncodedRatherThanDecodedValueIsRefused() {
    String signature = sign(A_KEY, A_URL + "mandrill_events" + A_BODY.substring("mandrill_events=".length()));
    assertRefused(provider(A_URL, A_KEY), form(A_BODY, signature));
  }

  @Test
  void aRepeatedFieldIsRefusedBecauseTheSignatureCoversOneValueOnly() {
    String forged = "mandrill_events=" + URLEncoder.encode("[{\"event\":\"spam\"}]", UTF_8) + "&" + A_BODY;
    assertRefused(provider(A_URL, A_KEY), form(forged, A_SIGNATURE));
  }

  @Test
  void fieldsAreSignedInSortedNameOrder() {
    String body = "zeta=1&" + A_BODY + "&alpha=2";
    MandrillProvider provider = provider(A_URL, A_KEY);
    assertVerifies(provider, form(body, sign(A_KEY, A_URL + "alpha2mandrill_events[{\"event\": \"send\"}]zeta1")));
    assertRefused(provider, form(body, sign(A_KEY, A_URL + "zeta1mandrill_events[{\"event\": \"send\"}]alpha2")));
  }

  // --- keys and configuration ---

  @Test
  void theSecondConfiguredKeyVerifiesDuringARotation() {
    assertVerifies(provider(A_URL, "NEW_KEY_NOT_YET_IN_USE", A_KEY), form(A_BODY, A_SIGNATURE));
  }

  @Test
  void aSourceWithoutWebhookKeysIsMissingCredentials() {
    assertThatThrownBy(() -> provider(A_URL)).isInstanceOf(MissingCredentialsException.class)
        .hasMessageContaining("sources[0].webhook_keys");
    assertThatThrownBy(() -> provider(A_URL, "")).isInstanceOf(MissingCredentialsException.class);
  }

  @Test
  void aSourceWithKeysButNoWebhookUrlIsAConfigurationErrorNamingTheKey() {
    assertThatThrownBy(() -> provider(null, A_KEY)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("sources[0].webhook_url");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/webhooks/mandrill", "ftp://example.com/hook", "https://example.com/hook\n", "not a url"})
  void aWebhookUrlThatIsNotAnAbsoluteHttpUrlIsAConfigurationError(String url) {
    assertThatThrownBy(() -> provider(url, A_KEY)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("sources[0].webhook_url");
  }

  @ParameterizedTest
  @CsvSource({"application/x-www-form-urlencoded, true", "multipart/form-data, true", "application/json, false"})
  void acceptsFormContentTypesOnly(String mediaType, boolean accepted) {
    assertThat(provider(A_URL, A_KEY).acceptsContentType(mediaType)).isEqualTo(accepted);
  }

  // --- mapping ---

  @ParameterizedTest(name = "{0} → {1} {2}")
  @CsvSource({"send, sent, ", "deferral, deferred, ", "hard_bounce, bounced, hard", "soft_bounce, bounced, soft",
      "delivered, delivered, ", "open, opened, ", "click, clicked, ", "spam, complained, ", "unsub, unsubscribed, ",
      "reject, rejected, ", "something_new, unknown, "})
  void messageEventsMapToTheNormalizedVocabulary(String event, String type, String bounceType) {
    JsonObject normalized = parseOne(new JsonObject().put("event", event).put("_id", "m1").put("ts", 1461095246)
        .put("msg", new JsonObject().put("email", "a@example.com"))).toJson();
    assertThat(normalized.getString("type")).isEqualTo(type);
    assertThat(normalized.getString("bounce_type")).isEqualTo(bounceType);
    assertThat(normalized.getString("reject_reason")).isNull();
  }

  @ParameterizedTest
  @CsvSource({"whitelist", "blacklist"})
  void syncEventsAreKeptAsUnknownWithTheirAddress(String list) {
    EmailEvent event = parseOne(new JsonObject().put("type", list).put("action", "add").put("ts", 1461095220)
        .put("reject", new JsonObject().put("email", "x@example.com").put("reason", "hard-bounce")));
    assertThat(event.toJson().getString("type")).isEqualTo("unknown");
    assertThat(event.recipient()).isEqualTo("x@example.com");
    assertThat(event.description()).isEqualTo("hard-bounce");
    assertThat(event.occurredAt()).isEqualTo(Instant.ofEpochSecond(1461095220));
  }

  @Test
  void anEventWithoutTsTakesTheTimeOfReceipt() {
    WebhookRequest request = eventsRequest(new JsonArray().add(new JsonObject().put("event", "send")));
    assertThat(provider(A_URL, A_KEY).parse(request).get(0).occurredAt()).isEqualTo(request.receivedAt());
  }

  @Test
  void espEventIsTheEventObjectUnchanged() {
    JsonObject original = new JsonObject().put("event", "click").put("_id", "m1").put("ts", 1461095246)
        .put("url", "http://example.com").put("msg", new JsonObject().put("email", "a@example.com").put("clicks", new JsonArray()));
    assertThat(parseOne(original).espEvent()).isEqualTo(original);
  }

  @Test
  void aFormWithoutMandrillEventsOrWithInvalidJsonIsABadRequest() {
    assertBadRequest(form("other=1", "sig"));
    assertBadRequest(form("mandrill_events=GARBAGE+DATA", "sig"));
    assertBadRequest(form("mandrill_events=%7B%7D", "sig"));
  }

  // --- event keys ---

  @Test
  void aMessageEventKeepsItsKeyWhenTheMessageSnapshotChangesInARetriedBatch() {
    JsonObject first = click("http://example.com/a", new JsonArray());
    JsonObject retried = click("http://example.com/a", new JsonArray().add(new JsonObject().put("ts", 1461095300)));
    assertThat(parseOne(first).eventKey()).isEqualTo(parseOne(retried).eventKey());
  }

  @Test
  void twoClicksOnDifferentLinksInTheSameSecondGetDifferentKeys() {
    assertThat(parseOne(click("http://example.com/a", new JsonArray())).eventKey())
        .isNotEqualTo(parseOne(click("http://example.com/b", new JsonArray())).eventKey());
  }

  @Test
  void differentEventsOfTheSameMessageGetDifferentKeys() {
    JsonObject open = click("http://example.com/a", new JsonArray()).put("event", "open");
    assertThat(parseOne(open).eventKey()).isNotEqualTo(parseOne(click("http://example.com/a", new JsonArray())).eventKey());
  }

  @Test
  void aSyncEventIsKeyedByTheHashOfTheWholeEvent() {
    JsonObject sync = new JsonObject().put("type", "blacklist").put("action", "add").put("ts", 1)
        .put("reject", new JsonObject().put("email", "x@example.com"));
    assertThat(parseOne(sync).eventKey()).isEqualTo(EventKeys.contentHash(sync));
  }

  // --- helpers ---

  private static JsonObject click(String url, JsonArray clicks) {
    return new JsonObject().put("event", "click").put("_id", "m1").put("ts", 1461095246).put("url", url)
        .put("msg", new JsonObject().put("email", "a@example.com").put("clicks", clicks));
  }

  private static EmailEvent parseOne(JsonObject event) {
    List<EmailEvent> events = provider(A_URL, A_KEY).parse(eventsRequest(new JsonArray().add(event)));
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  private static WebhookRequest eventsRequest(JsonArray events) {
    return form("mandrill_events=" + URLEncoder.encode(events.encode(), UTF_8), "unchecked-by-parse");
  }

  private static MandrillProvider provider(String url, String... keys) {
    Map<String, Object> settings = new HashMap<>(Map.of("id", "md", "provider", "mandrill",
        "webhook_keys", new JsonArray(List.of((Object[]) keys))));
    if (url != null) {
      settings.put("webhook_url", url);
    }
    return new MandrillProvider(SourceConfig.from(new ConfigSection(new JsonObject(settings), "sources[0]")));
  }

  private static String sign(String key, String signed) {
    return Base64.getEncoder().encodeToString(Hmacs.hmac("HmacSHA1", key.getBytes(UTF_8), signed.getBytes(UTF_8)));
  }

  private static WebhookRequest form(String body, String signature) {
    return TestRequests.request(FormFields.URLENCODED, Map.of("X-Mandrill-Signature", signature), body.getBytes(UTF_8));
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

  private static void assertBadRequest(WebhookRequest request) {
    assertThatThrownBy(() -> provider(A_URL, A_KEY).parse(request))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }
}
