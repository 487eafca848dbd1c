package io.emailgateway.provider;

import static io.emailgateway.provider.ResendProviderTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Postal publishes no vector (its own spec generates a key at run time), so this test generates
 * the server's RSA key pair and signs as Postal's {@code Postal::Signer} does: RSA PKCS#1 v1.5 over
 * the raw body with SHA-256 ({@code X-Postal-Signature-256}) and SHA-1 ({@code X-Postal-Signature}).
 */
class PostalProviderTest {
  private static final byte[] BODY = ConformanceCorpus.cases("postal")
      .filter(c -> c.name().equals("test_delivered_event")).findFirst().orElseThrow().body();
  /** A P-256 key (SendGrid's official verification key): valid base64 DER, but not RSA. */
  private static final String SENDGRID_EC_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+"
      + "2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
  private static KeyPair postal;
  private static KeyPair other;

  @BeforeAll
  static void generateKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    postal = generator.generateKeyPair();
    other = generator.generateKeyPair();
  }

  @Test
  void aSha256SignatureOfTheRawBodyVerifies() throws Exception {
    assertThat(provider(base64(postal)).authenticate(request(Map.of("X-Postal-Signature-256", sign("SHA256withRSA", postal, BODY)), BODY))
        .succeeded()).isTrue();
  }

  @Test
  void anOlderPostalSendingOnlyTheSha1SignatureVerifies() throws Exception {
    assertThat(provider(base64(postal)).authenticate(request(Map.of("X-Postal-Signature", sign("SHA1withRSA", postal, BODY)), BODY))
        .succeeded()).isTrue();
  }

  @Test
  void bothHeadersAsCurrentPostalSendsThemVerify() throws Exception {
    Map<String, String> headers = Map.of("X-Postal-Signature-256", sign("SHA256withRSA", postal, BODY),
        "X-Postal-Signature", sign("SHA1withRSA", postal, BODY), "X-Postal-Signature-KID", "kid-1");
    assertThat(provider(base64(postal)).authenticate(request(headers, BODY)).succeeded()).isTrue();
  }

  @Test
  void aBrokenSha256SignatureIsNotRescuedByAValidSha1One() throws Exception {
    Map<String, String> headers = Map.of("X-Postal-Signature-256", sign("SHA256withRSA", other, BODY),
        "X-Postal-Signature", sign("SHA1withRSA", postal, BODY));
    assertRefused(provider(base64(postal)).authenticate(request(headers, BODY)), "X-Postal-Signature-256 does not verify");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"SHA256withRSA", "SHA1withRSA"})
  void aBodyChangedAfterSigningIsRefused(String algorithm) throws Exception {
    byte[] tampered = new String(BODY, StandardCharsets.UTF_8).replace("\"Sent\"", "\"HardFail\"").getBytes(StandardCharsets.UTF_8);
    assertRefused(provider(base64(postal)).authenticate(request(Map.of(header(algorithm), sign(algorithm, postal, BODY)), tampered)),
        "does not verify");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"SHA256withRSA", "SHA1withRSA"})
  void aSignatureByAnotherServersKeyIsRefused(String algorithm) throws Exception {
    assertRefused(provider(base64(postal)).authenticate(request(Map.of(header(algorithm), sign(algorithm, other, BODY)), BODY)),
        "does not verify");
  }

  @Test
  void theSecondConfiguredKeyVerifiesDuringARotation() throws Exception {
    WebhookRequest request = request(Map.of("X-Postal-Signature-256", sign("SHA256withRSA", postal, BODY)), BODY);
    assertThat(provider(base64(other), base64(postal)).authenticate(request).succeeded()).isTrue();
  }

  @Test
  void aRequestWithoutSignatureHeadersIsRefused() {
    assertRefused(provider(base64(postal)).authenticate(request(Map.of(), BODY)), "headers missing");
  }

  @Test
  void emptySignatureHeadersAreRefused() {
    Map<String, String> headers = Map.of("X-Postal-Signature-256", "", "X-Postal-Signature", " ");
    assertRefused(provider(base64(postal)).authenticate(request(headers, BODY)), "headers missing");
  }

  @Test
  void aSignatureThatIsNotBase64IsRefused() {
    assertRefused(provider(base64(postal)).authenticate(request(Map.of("X-Postal-Signature-256", "***"), BODY)), "not base64");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bare base64", "PEM", "PKCS#1 PEM", "DKIM record", "base64 with line breaks"})
  void theKeyIsAcceptedInEveryFormOperatorsCopyItIn(String form) throws Exception {
    Map<String, Function<KeyPair, String>> forms = Map.of(
        "bare base64", PostalProviderTest::base64,
        "PEM", k -> pem("PUBLIC KEY", k.getPublic().getEncoded()),
        "PKCS#1 PEM", k -> pem("RSA PUBLIC KEY", pkcs1(k)),
        "DKIM record", k -> "v=DKIM1; t=s; h=sha256; p=" + base64(k) + ";",
        "base64 with line breaks", k -> Base64.getMimeEncoder().encodeToString(k.getPublic().getEncoded()));
    WebhookRequest request = request(Map.of("X-Postal-Signature-256", sign("SHA256withRSA", postal, BODY)), BODY);
    assertThat(provider(forms.get(form).apply(postal)).authenticate(request).succeeded()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"not a key", SENDGRID_EC_KEY})
  void aKeyThatIsNotRsaStopsStartUpNamingTheEntry(String key) {
    assertThatThrownBy(() -> provider(base64(postal), key))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sources[0].public_keys[1]");
  }

  @Test
  void aKeyTooShortToResistForgeryStopsStartUp() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(512);
    assertThatThrownBy(() -> provider(base64(generator.generateKeyPair())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("shorter than 1024 bits");
  }

  @Test
  void aSourceWithoutKeysIsDisabled() {
    assertThatThrownBy(() -> provider()).isInstanceOf(MissingCredentialsException.class)
        .hasMessageContaining("sources[0].public_keys");
  }

  @Test
  void theCorpusDeliveredEventCarriesTheGatewaysDeliberateValues() {
    EmailEvent event = provider(base64(postal)).parse(request(Map.of(), BODY)).get(0);
    assertThat(event.type()).isEqualTo(EventType.DELIVERED);
    assertThat(event.eventKey()).isEqualTo("58e8d7ee-2cd5-4db2-9af3-3f436105795a");
    assertThat(event.messageId()).as("Postal's integer id as text").isEqualTo("1563");
    assertThat(event.occurredAt()).as("the milliseconds kept").isEqualTo(java.time.Instant.parse("2020-11-30T16:18:21.354Z"));
    assertThat(event.metadata()).isEqualTo(new JsonObject());
    assertThat(event.tags()).containsExactly("welcome-email");
    assertThat(event.mtaResponse()).isEqualTo("250 2.0.0 OK\n");
    assertThat(event.espEvent()).isEqualTo(new JsonObject(new String(BODY, StandardCharsets.UTF_8)));
  }

  @ParameterizedTest(name = "{0} with {1} → {2}")
  @CsvSource({
      "MessageSent, status=Sent, DELIVERED, , ",
      "MessageDelayed, status=SoftFail, DEFERRED, , ",
      "MessageDeliveryFailed, status=HardFail, FAILED, , ",
      "MessageHeld, status=Held, QUEUED, , ",
      "MessageSent, status=Unheard, UNKNOWN, , ",
      "MessageBounced, bounce, BOUNCED, HARD, BOUNCED",
      "MessageBounced, soft bounce, BOUNCED, SOFT, BOUNCED",
      "MessageLinkClicked, url, CLICKED, , ",
      "MessageLoaded, user_agent, OPENED, , ",
      "DomainDNSError, domain, UNKNOWN, , ",
      "SendLimitExceeded, nothing, UNKNOWN, , "})
  void payloadContentsDecideTheType(String event, String contents, EventType type, BounceType bounceType, RejectReason reason) {
    JsonObject message = new JsonObject().put("id", 7).put("direction", "outgoing").put("to", "a@example.com");
    JsonObject payload = new JsonObject().put("message", message);
    switch (contents) {
      case "bounce" -> payload.put("bounce", new JsonObject().put("id", 8));
      case "soft bounce" -> payload.put("bounce", new JsonObject().put("id", 8).put("bounce_type", "soft"));
      case "url" -> payload.put("url", "https://example.com");
      case "user_agent" -> payload.put("user_agent", "Mozilla/5.0").put("ip_address", "192.0.2.1");
      case "domain" -> payload.put("domain", "example.com");
      case "nothing" -> { }
      default -> payload.put("status", contents.substring("status=".length()));
    }
    EmailEvent parsed = parse(new JsonObject().put("event", event).put("timestamp", 1606753101.5)
        .put("payload", payload).put("uuid", "u-1"));
    assertThat(parsed.type()).isEqualTo(type);
    assertThat(parsed.bounceType()).isEqualTo(bounceType);
    assertThat(parsed.rejectReason()).isEqualTo(reason);
  }

  @Test
  void eventsAboutIncomingMailProduceNothing() {
    JsonObject payload = new JsonObject().put("status", "HardFail")
        .put("message", new JsonObject().put("id", 7).put("direction", "incoming"));
    byte[] body = new JsonObject().put("event", "MessageDeliveryFailed").put("timestamp", 1).put("payload", payload).put("uuid", "u")
        .encode().getBytes(StandardCharsets.UTF_8);
    assertThat(provider(base64(postal)).parse(request(Map.of(), body))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"event\":\"MessageSent\",\"timestamp\":1,\"uuid\":\"u\"}",
      "{\"event\":\"MessageSent\",\"payload\":{\"status\":\"Sent\"},\"uuid\":\"u\"}",
      "{\"event\":\"MessageSent\",\"timestamp\":\"soon\",\"payload\":{},\"uuid\":\"u\"}",
      "{\"rcpt_to\":\"in@example.com\",\"message\":\"...\"}", "[]"})
  void aBodyThatIsNotAPostalEventIsRefusedWith400(String body) {
    assertThatThrownBy(() -> provider(base64(postal)).parse(request(Map.of(), body.getBytes(StandardCharsets.UTF_8))))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  private static EmailEvent parse(JsonObject body) {
    List<EmailEvent> events = provider(base64(postal)).parse(request(Map.of(), body.encode().getBytes(StandardCharsets.UTF_8)));
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  private static String header(String algorithm) {
    return algorithm.startsWith("SHA256") ? "X-Postal-Signature-256" : "X-Postal-Signature";
  }

  private static String sign(String algorithm, KeyPair keys, byte[] body) throws GeneralSecurityException {
    Signature signer = Signature.getInstance(algorithm);
    PrivateKey key = keys.getPrivate();
    signer.initSign(key);
    signer.update(body);
    return Base64.getEncoder().encodeToString(signer.sign());
  }

  private static String base64(KeyPair keys) {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  private static byte[] pkcs1(KeyPair keys) {
    try {
      return SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).parsePublicKey().getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static PostalProvider provider(String... keys) {
    JsonObject settings = new JsonObject().put("id", "postal-main").put("provider", "postal")
        .put("public_keys", new JsonArray(List.of((Object[]) keys)));
    return new PostalProvider(SourceConfig.from(new ConfigSection(settings, "sources[0]")));
  }

  private static WebhookRequest request(Map<String, String> headers, byte[] body) {
    return TestRequests.json(new HashMap<>(headers), body);
  }
}
