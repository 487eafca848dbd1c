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
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Unisender Go: the actual signed payload of REFERENCE.md §16.7, the corpus bodies (signed by
 * anymail's tests with its key {@code TEST_API_KEY}), and the status mapping.
 */
class UnisenderGoProviderTest {
  private static final String API_KEY = "6mjstx9gwi7qj8eni6m77hfiiw6aifmss154y4ze";
  private static final byte[] BODY = TestRequests.resource("vectors/unisender_go_tracking.body");

  @Test
  void theActualSignedPayloadVerifiesWithItsApiKey() {
    assertThat(provider(API_KEY).authenticate(request(BODY)).succeeded()).isTrue();
  }

  static Stream<ConformanceCorpus.Case> corpus() {
    return ConformanceCorpus.cases("unisender_go").filter(c -> c.name().startsWith("test_"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void everyCorpusBodySignedByAnymailsTestsVerifies(ConformanceCorpus.Case c) {
    assertThat(provider("TEST_API_KEY").authenticate(c.request()).succeeded()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "\"status\":\"clicked\"|\"status\":\"opened\"",
      "unisendergo@anymail.dev|unisendergo@anymail.deu",
      "https:\\/\\/example.com|https://example.com"})
  void aChangedBodyIsRefused(String original, String replacement) {
    byte[] tampered = new String(BODY, StandardCharsets.UTF_8).replace(original, replacement).getBytes(StandardCharsets.UTF_8);
    assertThat(tampered).isNotEqualTo(BODY);
    assertRefused(provider(API_KEY).authenticate(request(tampered)), "does not match");
  }

  @Test
  void anotherApiKeyIsRefused() {
    assertRefused(provider("TEST_API_KEY").authenticate(request(BODY)), "does not match");
  }

  @Test
  void theSecondConfiguredKeyVerifiesDuringARotation() {
    assertThat(provider("TEST_API_KEY", API_KEY).authenticate(request(BODY)).succeeded()).isTrue();
  }

  @Test
  void aBodyWithoutAuthIsRefused() {
    byte[] body = new String(BODY, StandardCharsets.UTF_8).replace("\"auth\":\"b3cb4d6aef9d07095805c39e792e0542\",", "")
        .getBytes(StandardCharsets.UTF_8);
    assertRefused(provider(API_KEY).authenticate(request(body)), "auth field missing");
  }

  /**
   * An empty or odd auth value must not be "replaced" in the body: replacing "" would insert the
   * key between every byte.
   */
  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"b3cb4d6aef9d07095805c39e792e054", "b3cb4d6aef9d07095805c39e792e0542b", "zzcb4d6aef9d07095805c39e792e0542", " "})
  void anAuthThatIsNotAnMd5DigestIsRefused(String auth) {
    byte[] body = new String(BODY, StandardCharsets.UTF_8).replace("b3cb4d6aef9d07095805c39e792e0542", auth)
        .getBytes(StandardCharsets.UTF_8);
    assertRefused(provider(API_KEY).authenticate(request(body)), "not an MD5");
  }

  @Test
  void anEmptyAuthIsRefused() {
    byte[] body = new String(BODY, StandardCharsets.UTF_8).replace("b3cb4d6aef9d07095805c39e792e0542", "")
        .getBytes(StandardCharsets.UTF_8);
    assertRefused(provider(API_KEY).authenticate(request(body)), "auth field missing");
  }

  @Test
  void aForgerWhoComputesTheMd5WithoutTheKeyIsRefused() throws Exception {
    String template = "{\"auth\":\"%s\",\"event_name\":\"transactional_email_status\",\"email\":\"a@example.com\",\"status\":\"spam\"}";
    String withGuessedKey = String.format(template, "guessed-key");
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(withGuessedKey.getBytes(StandardCharsets.UTF_8)));
    byte[] forged = String.format(template, digest).getBytes(StandardCharsets.UTF_8);
    assertRefused(provider(API_KEY).authenticate(request(forged)), "does not match");
    assertThat(provider("guessed-key").authenticate(request(forged)).succeeded()).as("the same scheme with that key").isTrue();
  }

  @Test
  void replacementCoversEveryOccurrenceAndNothingElse() {
    byte[] replaced = UnisenderGoProvider.replaceAll("aXbXXc".getBytes(StandardCharsets.US_ASCII),
        "X".getBytes(StandardCharsets.US_ASCII), "yz".getBytes(StandardCharsets.US_ASCII));
    assertThat(new String(replaced, StandardCharsets.US_ASCII)).isEqualTo("ayzbyzyzc");
  }

  @Test
  void theSignedPayloadNormalizes() {
    List<EmailEvent> events = provider(API_KEY).parse(request(BODY));
    assertThat(events).hasSize(1);
    EmailEvent event = events.get(0);
    assertThat(event.type()).isEqualTo(EventType.CLICKED);
    assertThat(event.recipient()).isEqualTo("unisendergo@anymail.dev");
    assertThat(event.clickUrl()).isEqualTo("https://example.com");
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2024-09-08T19:56:41Z"));
    assertThat(event.espEvent().getString("event_name")).isEqualTo("transactional_email_status");
    assertThat(event.eventKey()).startsWith("sha256:");
  }

  @Test
  void theMessageIdIsTheJobIdAndMetadataIsPassedWhole() {
    ConformanceCorpus.Case sent = corpus().filter(c -> c.name().equals("test_sent_event")).findFirst().orElseThrow();
    EmailEvent event = provider("TEST_API_KEY").parse(sent.request()).get(0);
    assertThat(event.messageId()).isEqualTo("1smi9f-00057m-86zr");
    assertThat(event.metadata()).isEqualTo(new JsonObject()
        .put("anymail_id", "00001111-2222-3333-4444-555566667777").put("cohort", "group a121"));
  }

  @Test
  void theSameSingleEventUnderAnotherApiKeyKeepsItsKey() {
    String event = "\"event_name\":\"transactional_email_status\",\"email\":\"a@example.com\","
        + "\"status\":\"opened\",\"event_time\":\"2024-09-06 23:14:19\"";
    EmailEvent first = parseOne("{\"auth\":\"00000000000000000000000000000001\"," + event + "}");
    EmailEvent second = parseOne("{" + event + ",\"auth\":\"00000000000000000000000000000002\"}");
    assertThat(first.eventKey()).isEqualTo(second.eventKey());
  }

  @ParameterizedTest(name = "{0} → {1} {2}")
  @CsvSource({
      "sent, SENT, ", "delivered, DELIVERED, ", "opened, OPENED, ", "clicked, CLICKED, ", "unsubscribed, UNSUBSCRIBED, ",
      "subscribed, SUBSCRIBED, ", "spam, COMPLAINED, ", "soft_bounced, DEFERRED, ", "hard_bounced, BOUNCED, HARD",
      "something_new, UNKNOWN, "})
  void statusesMapToNormalizedTypes(String status, EventType type, BounceType bounceType) {
    EmailEvent event = parseOne(new JsonObject().put("event_name", "transactional_email_status").put("status", status)
        .put("email", "a@example.com").put("event_time", "2024-09-06 23:14:19").encode());
    assertThat(event.type()).isEqualTo(type);
    assertThat(event.bounceType()).isEqualTo(bounceType);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
      "err_user_unknown, BOUNCED", "err_user_inactive, BOUNCED", "err_mailbox_discarded, BOUNCED", "err_mailbox_full, BOUNCED",
      "err_too_large, BOUNCED", "err_unreachable, BOUNCED", "err_skip_letter, BOUNCED", "err_domain_inactive, BOUNCED",
      "err_destination_misconfigured, BOUNCED", "err_spam_rejected, SPAM", "err_spam_skipped, SPAM",
      "err_blacklisted, BLOCKED", "err_unsubscribed, UNSUBSCRIBED", "err_delivery_failed, OTHER", "err_lost, OTHER",
      "err_brand_new, OTHER", "err_will_retry, ", "ok_delivered, "})
  void deliveryStatusesMapToRejectReasons(String deliveryStatus, RejectReason reason) {
    assertThat(UnisenderGoProvider.rejectReason(deliveryStatus)).isEqualTo(reason);
  }

  @Test
  void everyEventOfEveryUserInABatchBecomesAnEvent() {
    JsonArray users = new JsonArray();
    for (int u = 0; u < 2; u++) {
      JsonArray events = new JsonArray();
      for (int i = 0; i < 50; i++) {
        events.add(new JsonObject().put("event_name", "transactional_email_status").put("event_data", new JsonObject()
            .put("job_id", "job-" + u).put("email", "r" + i + "@example.com").put("status", "delivered")
            .put("event_time", "2024-09-06 23:14:19")));
      }
      users.add(new JsonObject().put("user_id", u).put("events", events));
    }
    List<EmailEvent> parsed = provider(API_KEY).parse(request(new JsonObject().put("auth", "x").put("events_by_user", users)
        .encode().getBytes(StandardCharsets.UTF_8)));
    assertThat(parsed).hasSize(100);
    assertThat(parsed.stream().map(EmailEvent::eventKey).distinct()).hasSize(100);
  }

  @Test
  void anEventWithoutEventTimeTakesTheReceivedTime() {
    WebhookRequest request = request("{\"event_name\":\"transactional_email_status\",\"status\":\"opened\",\"email\":\"a@example.com\"}"
        .getBytes(StandardCharsets.UTF_8));
    assertThat(provider(API_KEY).parse(request).get(0).occurredAt()).isEqualTo(request.receivedAt());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"events_by_user\":{}}", "{\"events_by_user\":[{\"events\":{}}]}",
      "{\"events_by_user\":[{\"events\":[{\"event_name\":\"transactional_email_status\"}]}]}", "[]"})
  void aBrokenBatchIsRefusedWith400(String body) {
    assertThatThrownBy(() -> provider(API_KEY).parse(request(body.getBytes(StandardCharsets.UTF_8))))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void aSourceWithoutApiKeysIsDisabled() {
    assertThatThrownBy(() -> provider()).isInstanceOf(MissingCredentialsException.class)
        .hasMessageContaining("sources[0].api_keys");
  }

  private static EmailEvent parseOne(String body) {
    List<EmailEvent> events = provider(API_KEY).parse(request(body.getBytes(StandardCharsets.UTF_8)));
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  private static UnisenderGoProvider provider(String... apiKeys) {
    JsonObject settings = new JsonObject().put("id", "unisender").put("provider", "unisender_go")
        .put("api_keys", new JsonArray(List.of((Object[]) apiKeys)));
    return new UnisenderGoProvider(SourceConfig.from(new ConfigSection(settings, "sources[0]")));
  }

  private static WebhookRequest request(byte[] body) {
    return TestRequests.json(Map.of(), body);
  }
}
