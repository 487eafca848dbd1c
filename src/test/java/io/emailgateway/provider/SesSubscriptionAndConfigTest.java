package io.emailgateway.provider;

import static io.emailgateway.provider.SnsTestServer.TOPIC;
import static io.emailgateway.provider.SnsTestServer.authenticateOnContext;
import static io.emailgateway.provider.SnsTestServer.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.config.ConfigException;
import io.emailgateway.provider.SnsTestPki.Issued;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SNS subscription handshakes, the basic-auth challenge, the default URL patterns and the source settings. */
@ExtendWith(VertxExtension.class)
class SesSubscriptionAndConfigTest {
  private static Issued root;
  private static Issued signer;

  private SnsTestServer server;
  private Path anchors;

  @BeforeAll
  static void createPki() {
    root = SnsTestPki.rootCa("CN=Test SNS Root CA");
    signer = SnsTestPki.signingCert(root);
  }

  @BeforeEach
  void startServer(Vertx vertx, @TempDir Path dir, VertxTestContext context) throws Exception {
    anchors = Files.writeString(dir.resolve("anchors.pem"), root.pem());
    server = new SnsTestServer(vertx);
    server.start().onComplete(context.succeeding(started -> {
      server.serve("/certs/signer.pem", signer.pem()).serve("/confirm", "<ConfirmSubscriptionResponse/>");
      context.completeNow();
    }));
  }

  private SesProvider provider(Vertx vertx, JsonObject overrides) {
    return SnsTestServer.provider(vertx, server.settings(anchors.toString()).mergeIn(overrides), Clock.systemUTC());
  }

  private WebhookRequest confirmation(String type, String topic, String subscribeUrl, Map<String, String> headers) {
    JsonObject envelope = SnsTestPki.confirmation(type, topic, subscribeUrl, server.url("/certs/signer.pem"));
    return request(SnsTestPki.sign(envelope, signer.keys().getPrivate(), 1), headers);
  }

  private WebhookRequest subscription(String topic) {
    return confirmation("SubscriptionConfirmation", topic, server.url("/confirm?Action=ConfirmSubscription&Token=t"), Map.of());
  }

  private void expect(Future<Void> result, VertxTestContext context, int status, Runnable then) {
    result.onComplete(done -> context.verify(() -> {
      if (status == 200) {
        assertThat(done.succeeded()).as(String.valueOf(done.cause())).isTrue();
      } else {
        assertThat(done.cause()).isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(status));
      }
      then.run();
      context.completeNow();
    }));
  }

  @Test
  void aVerifiedConfirmationOfAnAllowedTopicGetsItsSubscribeUrlAndYieldsNoEvents(Vertx vertx, VertxTestContext context) {
    SesProvider provider = provider(vertx, new JsonObject());
    WebhookRequest request = subscription(TOPIC);

    expect(authenticateOnContext(vertx, provider, request), context, 200, () -> {
      assertThat(server.hits("/confirm")).isEqualTo(1);
      assertThat(provider.parse(request)).isEmpty();
    });
  }

  @Test
  void withAutoConfirmOffTheSubscribeUrlIsNotFetched(Vertx vertx, VertxTestContext context) {
    expect(authenticateOnContext(vertx, provider(vertx, new JsonObject().put("auto_confirm", false)), subscription(TOPIC)),
        context, 200, () -> assertThat(server.hits("/confirm")).isZero());
  }

  @Test
  void aConfirmationForAnotherTopicIsRefusedAndNotConfirmed(Vertx vertx, VertxTestContext context) {
    expect(authenticateOnContext(vertx, provider(vertx, new JsonObject()), subscription("arn:aws:sns:us-east-1:999999999999:other")),
        context, 401, () -> assertThat(server.totalHits()).isZero());
  }

  @Test
  void aSubscribeUrlOutsideThePatternIsNotFetched(Vertx vertx, VertxTestContext context) {
    WebhookRequest request = confirmation("SubscriptionConfirmation", TOPIC, server.url("/elsewhere?Action=ConfirmSubscription"), Map.of());

    expect(authenticateOnContext(vertx, provider(vertx, new JsonObject()), request), context, 400,
        () -> assertThat(server.hits("/elsewhere")).isZero());
  }

  @Test
  void aForgedConfirmationIsNotConfirmed(Vertx vertx, VertxTestContext context) {
    JsonObject envelope = SnsTestPki.confirmation("SubscriptionConfirmation", TOPIC, server.url("/confirm?Action=ConfirmSubscription"),
        server.url("/certs/signer.pem"));
    WebhookRequest forged = request(SnsTestPki.sign(envelope, SnsTestPki.rsa().getPrivate(), 1), Map.of());

    expect(authenticateOnContext(vertx, provider(vertx, new JsonObject()), forged), context, 401,
        () -> assertThat(server.hits("/confirm")).isZero());
  }

  @Test
  void aFailedConfirmationAnswers503SoSnsSendsItAgain(Vertx vertx, VertxTestContext context) {
    server.status("/confirm", 500);

    expect(authenticateOnContext(vertx, provider(vertx, new JsonObject()), subscription(TOPIC)), context, 503, () -> {});
  }

  @Test
  void anUnsubscribeConfirmationIsAcceptedWithoutConfirmingAnything(Vertx vertx, VertxTestContext context) {
    SesProvider provider = provider(vertx, new JsonObject());
    WebhookRequest request = confirmation("UnsubscribeConfirmation", TOPIC, server.url("/confirm?Action=ConfirmSubscription"), Map.of());

    expect(authenticateOnContext(vertx, provider, request), context, 200, () -> {
      assertThat(server.hits("/confirm")).isZero();
      assertThat(provider.parse(request)).isEmpty();
    });
  }

  private static JsonObject basicAuth() {
    return new JsonObject().put("basic_auth", new JsonArray().add(new JsonObject().put("username", "sns").put("password", "s3cret")));
  }

  @Test
  void withBasicAuthAMissingAuthorizationIsChallenged(Vertx vertx, VertxTestContext context) {
    authenticateOnContext(vertx, provider(vertx, basicAuth()), subscription(TOPIC)).onComplete(context.failing(e -> context.verify(() -> {
      assertThat(e).isInstanceOfSatisfying(ChallengeException.class, challenge -> {
        assertThat(challenge.status()).isEqualTo(401);
        assertThat(challenge.wwwAuthenticate()).isEqualTo("Basic realm=\"ses-test\"");
      });
      assertThat(server.totalHits()).isZero();
      context.completeNow();
    })));
  }

  @Test
  void withBasicAuthWrongCredentialsAreChallengedAgain(Vertx vertx, VertxTestContext context) {
    String wrong = "Basic " + Base64.getEncoder().encodeToString("sns:guess".getBytes(StandardCharsets.UTF_8));
    WebhookRequest request = confirmation("SubscriptionConfirmation", TOPIC, server.url("/confirm?x"), Map.of("Authorization", wrong));

    authenticateOnContext(vertx, provider(vertx, basicAuth()), request).onComplete(context.failing(e -> context.verify(() -> {
      assertThat(e).isInstanceOf(ChallengeException.class);
      assertThat(((WebhookException) e).reason()).isEqualTo("basic_auth_mismatch");
      assertThat(server.totalHits()).isZero();
      context.completeNow();
    })));
  }

  @Test
  void withBasicAuthTheRightCredentialsAndSignatureAreAccepted(Vertx vertx, VertxTestContext context) {
    String right = "Basic " + Base64.getEncoder().encodeToString("sns:s3cret".getBytes(StandardCharsets.UTF_8));
    WebhookRequest request = confirmation("SubscriptionConfirmation", TOPIC, server.url("/confirm?x"), Map.of("Authorization", right));

    expect(authenticateOnContext(vertx, provider(vertx, basicAuth()), request), context, 200,
        () -> assertThat(server.hits("/confirm")).isEqualTo(1));
  }

  @Test
  void theOneArgumentConstructorTakesVertxFromTheContextItRunsOn(Vertx vertx, VertxTestContext context) {
    SesProvider provider = new SesProvider(SnsTestServer.source(server.settings(anchors.toString())));

    expect(authenticateOnContext(vertx, provider, subscription(TOPIC)), context, 200,
        () -> assertThat(server.hits("/confirm")).isEqualTo(1));
  }

  @Test
  void theOneArgumentConstructorOutsideVertxFailsClearly() {
    SesProvider provider = new SesProvider(SnsTestServer.source(new JsonObject().put("id", "s").put("provider", "ses")
        .put("topic_arns", new JsonArray().add(TOPIC))
        .put("cert_url_pattern", "http://127\\.0\\.0\\.1:1/certs/[a-z]+\\.pem")));
    JsonObject envelope = SnsTestPki.notification(TOPIC, "m", "{}", null, "http://127.0.0.1:1/certs/signer.pem");

    Future<Void> result = provider.authenticate(request(SnsTestPki.sign(envelope, signer.keys().getPrivate(), 2), Map.of()));

    assertThat(result.cause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("(SourceConfig, Vertx)");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem",
      "https://sns.eu-central-2.amazonaws.com/SimpleNotificationService-01d088a6f77103d0fe307c0069e40ed6.pem",
      "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
      "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://sns.us-iso-east-1.c2s.ic.gov/SimpleNotificationService-abc.pem",
      "https://sns.us-isob-east-1.sc2s.sgov.gov/SimpleNotificationService-abc.pem",
      "https://sns.eu-isoe-west-1.cloud.adc-e.uk/SimpleNotificationService-abc.pem",
      "https://sns.us-isof-south-1.csp.hci.ic.gov/SimpleNotificationService-abc.pem",
      "https://sns.eusc-de-east-1.amazonaws.eu/SimpleNotificationService-abc.pem"})
  void theDefaultCertificatePatternAcceptsSnsHostsOfEveryPartition(String url) {
    assertThat(Pattern.compile(SesProvider.DEFAULT_CERT_URL_PATTERN).matcher(url).matches()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.com@evil.example/SimpleNotificationService-abc.pem",
      "https://evil.example/sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem?.pem",
      "https://sns.us-east-1.amazonaws.com/dir/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.txt",
      "https://sqs.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://snsXus-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://sns.evil.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.comX/SimpleNotificationService-abc.pem"})
  void theDefaultCertificatePatternRefusesEverythingElse(String url) {
    assertThat(Pattern.compile(SesProvider.DEFAULT_CERT_URL_PATTERN).matcher(url).matches()).isFalse();
  }

  @Test
  void theDefaultSubscribePatternAcceptsOnlyConfirmSubscriptionOnSnsHosts() {
    Pattern pattern = Pattern.compile(SesProvider.DEFAULT_SUBSCRIBE_URL_PATTERN);

    assertThat(pattern.matcher("https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
        + "arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37fb687f5d51e6e241d09c805a5a57b3").matches()).isTrue();
    assertThat(pattern.matcher("https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x").matches()).isFalse();
    assertThat(pattern.matcher("https://sns.us-west-2.amazonaws.com.evil.example/?Action=ConfirmSubscription&x").matches()).isFalse();
    assertThat(pattern.matcher("http://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&x").matches()).isFalse();
  }

  @Test
  void aSourceWithoutTopicArnsIsMissingCredentials() {
    assertThatThrownBy(() -> new SesProvider(SnsTestServer.source(new JsonObject().put("id", "s").put("provider", "ses")
        .put("topic_arns", new JsonArray().add("")))))
        .isInstanceOf(MissingCredentialsException.class).hasMessageContaining("topic_arns");
  }

  @Test
  void malformedSettingsStopStartUpNamingTheKey() {
    JsonObject base = new JsonObject().put("id", "s").put("provider", "ses").put("topic_arns", new JsonArray().add(TOPIC));

    assertThatThrownBy(() -> new SesProvider(SnsTestServer.source(base.copy().put("cert_url_pattern", "(")))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("sources[0].cert_url_pattern");
    assertThatThrownBy(() -> new SesProvider(SnsTestServer.source(base.copy().put("cert_trust_anchors", "/nonexistent/anchors.pem"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sources[0].cert_trust_anchors");
    assertThatThrownBy(() -> new SesProvider(SnsTestServer.source(base.copy().put("topic_arns", new JsonArray().add("SES_Events")))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sources[0].topic_arns");
  }

  @Test
  void snsPostsTextPlainOrJsonOnly() {
    SesProvider provider = new SesProvider(SnsTestServer.source(new JsonObject().put("id", "s").put("provider", "ses")
        .put("topic_arns", new JsonArray().add(TOPIC))));

    assertThat(provider.acceptsContentType("text/plain")).isTrue();
    assertThat(provider.acceptsContentType("application/json")).isTrue();
    assertThat(provider.acceptsContentType("application/x-www-form-urlencoded")).isFalse();
    assertThat(provider.name()).isEqualTo("ses");
  }
}
