package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Verification of SendGrid's Signed Event Webhook with the official vectors (REFERENCE.md §16.1). */
class SendGridProviderTest {
  static final String SINGLE_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
  static final String SINGLE_TIMESTAMP = "1600112502";
  static final String SINGLE_SIGNATURE = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
  static final String MULTI_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ4LIFtWztlsF7skFqOncjD1lun4H5w8XOhyOArHW9RcIx/FfEzx6cikC/yPfUvwaX/JScE7Fc9CJD2afQ9Ok3Q==";
  static final String MULTI_TIMESTAMP = "1619651159";
  static final String MULTI_SIGNATURE = "MEYCIQC/I4o6vCgqRYrTljjoVWB/GRWNtxeePlLMHr3x9ETeRQIhAIpV+03nREPTTHWSW0wIOA0EoMPdcNgXa70yCaqDJlu5";
  static final String WRONG_SIGNATURE = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=";
  static final String WRONG_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
  static final byte[] SINGLE_BODY = TestRequests.resource("vectors/sendgrid_single.body");
  static final byte[] MULTI_BODY = TestRequests.resource("vectors/sendgrid_multi.body");

  @Test
  void officialSingleEventVectorVerifies() {
    assertThat(authenticate(keys(SINGLE_KEY), signed(SINGLE_TIMESTAMP, SINGLE_SIGNATURE, SINGLE_BODY)).succeeded()).isTrue();
  }

  @Test
  void officialMultiEventVectorVerifies() {
    assertThat(authenticate(keys(MULTI_KEY), signed(MULTI_TIMESTAMP, MULTI_SIGNATURE, MULTI_BODY)).succeeded()).isTrue();
  }

  static Stream<Arguments> officialNegativeCases() {
    byte[] withoutCrlf = java.util.Arrays.copyOf(SINGLE_BODY, SINGLE_BODY.length - 2);
    byte[] oneByteChanged = SINGLE_BODY.clone();
    oneByteChanged[10] = (byte) (oneByteChanged[10] ^ 1);
    return Stream.of(
        Arguments.of("changed payload", SINGLE_KEY, SINGLE_TIMESTAMP, SINGLE_SIGNATURE, utf8("payload")),
        Arguments.of("changed timestamp", SINGLE_KEY, "timestamp", SINGLE_SIGNATURE, SINGLE_BODY),
        Arguments.of("another message's signature", SINGLE_KEY, SINGLE_TIMESTAMP, WRONG_SIGNATURE, SINGLE_BODY),
        Arguments.of("another key", WRONG_KEY, SINGLE_TIMESTAMP, SINGLE_SIGNATURE, SINGLE_BODY),
        Arguments.of("body without its trailing CRLF", SINGLE_KEY, SINGLE_TIMESTAMP, SINGLE_SIGNATURE, withoutCrlf),
        Arguments.of("one bit of the body flipped", SINGLE_KEY, SINGLE_TIMESTAMP, SINGLE_SIGNATURE, oneByteChanged),
        Arguments.of("multi body with the single signature", SINGLE_KEY, SINGLE_TIMESTAMP, SINGLE_SIGNATURE, MULTI_BODY));
  }

  @ParameterizedTest(name = "{0} is refused")
  @MethodSource("officialNegativeCases")
  void everyOfficialNegativeCaseIsRefused(String what, String key, String timestamp, String signature, byte[] body) {
    assertUnauthorized(authenticate(keys(key), signed(timestamp, signature, body)), "does not verify");
  }

  static Stream<Arguments> missingHeaders() {
    return Stream.of(
        Arguments.of("no signature header", null, SINGLE_TIMESTAMP, "signature header missing"),
        Arguments.of("empty signature header", "", SINGLE_TIMESTAMP, "signature header missing"),
        Arguments.of("no timestamp header", SINGLE_SIGNATURE, null, "timestamp header missing"),
        Arguments.of("empty timestamp header", SINGLE_SIGNATURE, "", "timestamp header missing"),
        Arguments.of("signature that is not base64", "not base64!", SINGLE_TIMESTAMP, "not base64"),
        Arguments.of("signature that is not DER", Base64.getEncoder().encodeToString(utf8("garbage")), SINGLE_TIMESTAMP,
            "does not verify"));
  }

  @ParameterizedTest(name = "{0} is refused")
  @MethodSource("missingHeaders")
  void requestsWithMissingOrBrokenHeadersAreRefused(String what, String signature, String timestamp, String reason) {
    assertUnauthorized(authenticate(keys(SINGLE_KEY), signed(timestamp, signature, SINGLE_BODY)), reason);
  }

  @Test
  void secondConfiguredKeyVerifiesDuringARotation() {
    WebhookRequest request = signed(SINGLE_TIMESTAMP, SINGLE_SIGNATURE, SINGLE_BODY);
    assertThat(authenticate(keys(WRONG_KEY, SINGLE_KEY), request).succeeded()).isTrue();
    assertThat(authenticate(keys(MULTI_KEY, "", SINGLE_KEY), request).succeeded()).isTrue();
  }

  @Test
  void requestThatNoConfiguredKeyVerifiesIsRefused() {
    assertUnauthorized(authenticate(keys(WRONG_KEY, MULTI_KEY), signed(SINGLE_TIMESTAMP, SINGLE_SIGNATURE, SINGLE_BODY)),
        "does not verify");
  }

  @Test
  void batchOfAThousandEventsSignedWithAGeneratedKeyVerifiesAndEveryEventIsParsed() throws Exception {
    KeyPair pair = p256();
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < 1000; i++) {
      body.append(i == 0 ? "" : ",\r\n").append("{\"email\":\"user").append(i)
          .append("@example.com\",\"event\":\"delivered\",\"sg_event_id\":\"ev-").append(i)
          .append("\",\"timestamp\":1700000000}");
    }
    byte[] bytes = utf8(body.append("]\r\n").toString());
    String timestamp = "1700000042";
    SendGridProvider provider = provider(keys(Base64.getEncoder().encodeToString(pair.getPublic().getEncoded())));
    WebhookRequest request = signed(timestamp, sign(pair, timestamp, bytes), bytes);

    assertThat(provider.authenticate(request).succeeded()).isTrue();
    assertThat(provider.parse(request)).hasSize(1000).extracting(e -> e.eventKey()).doesNotHaveDuplicates().contains("ev-999");
  }

  @Test
  void basicAuthIsEnforcedInAdditionToTheSignature() {
    JsonObject settings = keys(SINGLE_KEY).put("basic_auth", new JsonArray().add(new JsonObject().put("username", "sg").put("password", "s3cret")));
    WebhookRequest unauthenticated = signed(SINGLE_TIMESTAMP, SINGLE_SIGNATURE, SINGLE_BODY);
    assertUnauthorized(authenticate(settings, unauthenticated), "basic auth");

    WebhookRequest both = signed(SINGLE_TIMESTAMP, SINGLE_SIGNATURE, SINGLE_BODY, Map.of("Authorization", basic("sg:s3cret")));
    assertThat(authenticate(settings, both).succeeded()).isTrue();

    WebhookRequest forgedSignature = signed(SINGLE_TIMESTAMP, WRONG_SIGNATURE, SINGLE_BODY, Map.of("Authorization", basic("sg:s3cret")));
    assertUnauthorized(authenticate(settings, forgedSignature), "does not verify");
  }

  @Test
  void basicAuthAloneAuthenticatesASourceWithoutKeys() {
    JsonObject settings = new JsonObject().put("basic_auth", new JsonArray().add(new JsonObject().put("username", "sg").put("password", "s3cret")));
    WebhookRequest right = TestRequests.json(Map.of("Authorization", basic("sg:s3cret")), SINGLE_BODY);
    WebhookRequest wrong = TestRequests.json(Map.of("Authorization", basic("sg:guess")), SINGLE_BODY);
    assertThat(authenticate(settings, right).succeeded()).isTrue();
    assertUnauthorized(authenticate(settings, wrong), "basic auth");
    assertUnauthorized(authenticate(settings, TestRequests.json(Map.of(), SINGLE_BODY)), "basic auth");
  }

  @Test
  void sourceWithoutKeysOrBasicAuthIsDisabled() {
    assertThatThrownBy(() -> provider(new JsonObject())).isInstanceOf(MissingCredentialsException.class)
        .hasMessageContaining("sources[0].public_keys");
    assertThatThrownBy(() -> provider(keys("", "  "))).isInstanceOf(MissingCredentialsException.class);
  }

  @Test
  void malformedKeyStopsStartUpNamingTheKey() {
    assertThatThrownBy(() -> provider(keys(SINGLE_KEY, "", "bm90IGEga2V5"))).isInstanceOf(ConfigException.class)
        .isNotInstanceOf(MissingCredentialsException.class).hasMessageContaining("sources[0].public_keys[2]");
    assertThatThrownBy(() -> provider(keys("###"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("sources[0].public_keys[0]").hasMessageContaining("base64");
  }

  @Test
  void keysOtherThanP256AreRefusedAtStartUp() throws Exception {
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    for (KeyPair pair : new KeyPair[] {p384.generateKeyPair(), rsa.generateKeyPair()}) {
      String encoded = Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
      assertThatThrownBy(() -> provider(keys(encoded))).isInstanceOf(ConfigException.class)
          .hasMessageContaining("sources[0].public_keys[0]").hasMessageContaining("P-256");
    }
  }

  @Test
  void keyPastedWithPemArmourIsAccepted() {
    String pem = "-----BEGIN PUBLIC KEY-----\n" + SINGLE_KEY.substring(0, 64) + "\n" + SINGLE_KEY.substring(64) + "\n-----END PUBLIC KEY-----\n";
    assertThat(authenticate(keys(pem), signed(SINGLE_TIMESTAMP, SINGLE_SIGNATURE, SINGLE_BODY)).succeeded()).isTrue();
  }

  @Test
  void withoutAToleranceAnOldSignedRetryStillVerifies() {
    SendGridProvider provider = provider(keys(SINGLE_KEY), clockAt(Instant.parse("2030-01-01T00:00:00Z")));
    assertThat(provider.authenticate(signed(SINGLE_TIMESTAMP, SINGLE_SIGNATURE, SINGLE_BODY)).succeeded()).isTrue();
  }

  static Stream<Arguments> clocksAgainstAFiveMinuteTolerance() {
    long signedAt = Long.parseLong(SINGLE_TIMESTAMP);
    return Stream.of(
        Arguments.of("4 minutes after", signedAt + 240, true),
        Arguments.of("4 minutes before", signedAt - 240, true),
        Arguments.of("6 minutes after (stale)", signedAt + 360, false),
        Arguments.of("6 minutes before (from the future)", signedAt - 360, false));
  }

  @ParameterizedTest(name = "clock {0} the signed timestamp: verifies = {2}")
  @MethodSource("clocksAgainstAFiveMinuteTolerance")
  void configuredToleranceRefusesTimestampsOutsideTheWindow(String what, long now, boolean verifies) {
    SendGridProvider provider = provider(keys(SINGLE_KEY).put("timestamp_tolerance", "5m"), clockAt(Instant.ofEpochSecond(now)));
    Future<Void> result = provider.authenticate(signed(SINGLE_TIMESTAMP, SINGLE_SIGNATURE, SINGLE_BODY));
    if (verifies) {
      assertThat(result.succeeded()).isTrue();
    } else {
      assertUnauthorized(result, "outside timestamp_tolerance");
    }
  }

  @Test
  void timestampThatIsNotUnixSecondsIsRefusedWhenAToleranceIsConfigured() {
    SendGridProvider provider = provider(keys(SINGLE_KEY).put("timestamp_tolerance", "5m"), Clock.systemUTC());
    assertUnauthorized(provider.authenticate(signed("timestamp", SINGLE_SIGNATURE, SINGLE_BODY)), "not unix seconds");
  }

  @Test
  void onlyJsonIsAccepted() {
    SendGridProvider provider = provider(keys(SINGLE_KEY));
    assertThat(provider.acceptsContentType("application/json")).isTrue();
    assertThat(provider.acceptsContentType("application/x-www-form-urlencoded")).isFalse();
    assertThat(provider.acceptsContentType("text/plain")).isFalse();
  }

  /**
   * The gateway's message id is SendGrid's X-Message-Id, not anymail's {@code anymail_id}
   * (ProviderConformanceTest skips message_id for sendgrid for that reason): the expected values
   * follow SendGridProvider.messageId's rule on each corpus fixture and on the official vectors.
   */
  static Stream<Arguments> messageIdsOfTheCorpus() {
    return Stream.of(
        Arguments.of("test_bounce_event", "Lli-03HcQ5-JLybO9fXsJg"),
        Arguments.of("test_click_event", "_fjPjuJfRW-IPs5SuvYotg"),
        Arguments.of("test_compatibility_message_id_from_smtp_id", "wrfRRvF7Q0GgwUo2CvDmEA"),
        Arguments.of("test_deferred_event", "u9Gvi3mzT6iC2poAb58_qQ"),
        Arguments.of("test_delivered_event", "wrfRRvF7Q0GgwUo2CvDmEA"),
        Arguments.of("test_dropped_bounced", "14c5d75ce93.dfd.64b469"),
        Arguments.of("test_dropped_invalid_event", "wrfRRvF7Q0GgwUo2CvDmEA"),
        Arguments.of("test_dropped_unsubscribed_event", "wrfRRvF7Q0GgwUo2CvDmEA"),
        Arguments.of("test_open_event", "wrfRRvF7Q0GgwUo2CvDmEA"),
        Arguments.of("test_processed_event", "wrfRRvF7Q0GgwUo2CvDmEA"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("messageIdsOfTheCorpus")
  void messageIdIsTheXMessageIdSendGridReturnedAtSendTime(String fixture, String expected) {
    ConformanceCorpus.Case c = ConformanceCorpus.cases("sendgrid").filter(f -> f.name().equals(fixture)).findFirst().orElseThrow();
    assertThat(provider(keys(SINGLE_KEY)).parse(c.request())).singleElement()
        .satisfies(e -> assertThat(e.messageId()).isEqualTo(expected));
  }

  @Test
  void officialVectorsCarryTheirXMessageIds() {
    SendGridProvider provider = provider(keys(SINGLE_KEY));
    assertThat(provider.parse(TestRequests.json(Map.of(), SINGLE_BODY))).extracting(e -> e.messageId())
        .containsExactly("LRzXl_NHStOGhQ4kofSm_A");
    assertThat(provider.parse(TestRequests.json(Map.of(), MULTI_BODY))).extracting(e -> e.messageId())
        .containsExactly("qNwBLgPQQjW6DJvKQwSAbw", "qNwBLgPQQjW6DJvKQwSAbw");
  }

  static Stream<Arguments> messageIdRule() {
    return Stream.of(
        Arguments.of("{\"sg_message_id\":\"abc.recvd-5f9ffdf494-9kc6l-1-673C6EB0-B.0\"}", "abc"),
        Arguments.of("{\"sg_message_id\":\"5lFl7Fr1Rjme_EyzNNB_5A.stfilter-015.5185.55F883172.0\"}", "5lFl7Fr1Rjme_EyzNNB_5A"),
        Arguments.of("{\"smtp-id\":\"<own.message-id@sender.example>\"}", "own.message-id"),
        Arguments.of("{\"sg_message_id\":\"recvd-1.2.0\",\"smtp-id\":\"<Xyz@ismtpd>\"}", "Xyz"),
        Arguments.of("{\"sg_message_id\":\"\",\"smtp-id\":\"\"}", null),
        Arguments.of("{\"event\":\"bounce\"}", null));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("messageIdRule")
  void messageIdRuleCoversEveryShapeOfTheIds(String event, String expected) {
    assertThat(SendGridProvider.messageId(new JsonObject(event))).isEqualTo(expected);
  }

  // --- helpers shared with SendGridMappingTest ---

  static JsonObject keys(String... keys) {
    return new JsonObject().put("public_keys", new JsonArray(java.util.List.of((Object[]) keys)));
  }

  static SendGridProvider provider(JsonObject settings) {
    return provider(settings, Clock.systemUTC());
  }

  static SendGridProvider provider(JsonObject settings, Clock clock) {
    JsonObject source = new JsonObject().put("id", "sg-main").put("provider", "sendgrid").mergeIn(settings);
    return new SendGridProvider(SourceConfig.from(new ConfigSection(source, "sources[0]")), clock);
  }

  private static Future<Void> authenticate(JsonObject settings, WebhookRequest request) {
    return provider(settings).authenticate(request);
  }

  static WebhookRequest signed(String timestamp, String signature, byte[] body) {
    return signed(timestamp, signature, body, Map.of());
  }

  private static WebhookRequest signed(String timestamp, String signature, byte[] body, Map<String, String> extra) {
    Map<String, String> headers = new HashMap<>(extra);
    if (timestamp != null) {
      headers.put(SendGridProvider.TIMESTAMP_HEADER, timestamp);
    }
    if (signature != null) {
      headers.put(SendGridProvider.SIGNATURE_HEADER, signature);
    }
    return TestRequests.json(headers, body);
  }

  private static void assertUnauthorized(Future<Void> result, String reason) {
    assertThat(result.failed()).as("refused").isTrue();
    assertThat(result.cause()).isInstanceOfSatisfying(WebhookException.class, e -> {
      assertThat(e.status()).isEqualTo(401);
      assertThat(e.reason()).contains(reason);
    });
  }

  private static KeyPair p256() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static String sign(KeyPair pair, String timestamp, byte[] body) throws Exception {
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(pair.getPrivate());
    signer.update(utf8(timestamp));
    signer.update(body);
    return Base64.getEncoder().encodeToString(signer.sign());
  }

  private static Clock clockAt(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  private static String basic(String userPassword) {
    return "Basic " + Base64.getEncoder().encodeToString(utf8(userPassword));
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
