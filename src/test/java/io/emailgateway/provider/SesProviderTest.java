package io.emailgateway.provider;

import static io.emailgateway.provider.SnsTestServer.TOPIC;
import static io.emailgateway.provider.SnsTestServer.authenticateOnContext;
import static io.emailgateway.provider.SnsTestServer.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.provider.SnsTestPki.Issued;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SNS signature verification end to end: certificates served by a local stand-in for the SNS
 * host, a CA of the test's own as trust anchor, messages signed as SNS signs them.
 */
@ExtendWith(VertxExtension.class)
class SesProviderTest {
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
    server.start().onComplete(context.succeedingThenComplete());
  }

  private SesProvider provider(Vertx vertx) {
    return SnsTestServer.provider(vertx, server.settings(anchors.toString()), Clock.systemUTC());
  }

  private JsonObject signedNotification(String certPath, Issued by, int version) {
    server.serve(certPath, by.pem());
    JsonObject envelope = SnsTestPki.notification(TOPIC, "5b5b3f2a-1111-5e8a-9c1d-4f3a2b1c0d9e",
        "{\"eventType\":\"Send\",\"mail\":{\"messageId\":\"m\",\"destination\":[\"a@example.com\"]},\"send\":{}}\n",
        "Amazon SES Email Event Notification", server.url(certPath));
    return SnsTestPki.sign(envelope, by.keys().getPrivate(), version);
  }

  private static void expectRefusal(Future<Void> result, VertxTestContext context, int status, String reason, Runnable more) {
    result.onComplete(context.failing(failure -> context.verify(() -> {
      assertThat(failure).isInstanceOfSatisfying(WebhookException.class, e -> {
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.reason()).isEqualTo(reason);
      });
      more.run();
      context.completeNow();
    })));
  }

  @Test
  void theOfficialVersion1VectorVerifiesThroughTheWholeFlowWithItsPinnedCertificate(Vertx vertx, VertxTestContext context) throws Exception {
    server.serve("/certs/vector.pem", Buffer.buffer(TestRequests.resource("vectors/sns_v1_unit_test_cert.pem")));
    Files.write(anchors, TestRequests.resource("vectors/sns_v1_unit_test_cert.pem"));
    JsonObject settings = server.settings(anchors.toString())
        .put("topic_arns", new JsonArray().add("arn:aws:sns:us-east-1:810605503585:just_testing"));
    // The certificate expired in 2016: the clock, not a switch, puts the check inside its validity.
    Clock during = Clock.fixed(Instant.parse("2016-01-01T00:00:00Z"), ZoneOffset.UTC);
    SesProvider provider = SnsTestServer.provider(vertx, settings, during);
    // SigningCertURL is not signed, so pointing it at the local server keeps the signature valid.
    String vector = new String(TestRequests.resource("vectors/sns_v1_sample_message.json"), StandardCharsets.UTF_8)
        .replace("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem",
            server.url("/certs/vector.pem"));
    WebhookRequest genuine = TestRequests.request("text/plain; charset=UTF-8", Map.of(), vector.getBytes(StandardCharsets.UTF_8));
    WebhookRequest tampered = TestRequests.request("text/plain; charset=UTF-8", Map.of(),
        vector.replace("\"boo\"", "\"bop\"").getBytes(StandardCharsets.UTF_8));

    authenticateOnContext(vertx, provider, genuine).onComplete(context.succeeding(v ->
        expectRefusal(authenticateOnContext(vertx, provider, tampered), context, 401, "sns_signature_mismatch", () -> {})));
  }

  @Test
  void theOfficialVectorIsRefusedTodayBecauseItsCertificateHasExpired(Vertx vertx, VertxTestContext context) throws Exception {
    server.serve("/certs/vector.pem", Buffer.buffer(TestRequests.resource("vectors/sns_v1_unit_test_cert.pem")));
    Files.write(anchors, TestRequests.resource("vectors/sns_v1_unit_test_cert.pem"));
    JsonObject settings = server.settings(anchors.toString())
        .put("topic_arns", new JsonArray().add("arn:aws:sns:us-east-1:810605503585:just_testing"));
    String vector = new String(TestRequests.resource("vectors/sns_v1_sample_message.json"), StandardCharsets.UTF_8)
        .replaceAll("https://sns[^\"]+\\.pem", server.url("/certs/vector.pem"));

    expectRefusal(authenticateOnContext(vertx, SnsTestServer.provider(vertx, settings, Clock.systemUTC()),
        TestRequests.request("text/plain", Map.of(), vector.getBytes(StandardCharsets.UTF_8))), context, 401, "sns_cert_untrusted", () -> {});
  }

  @Test
  void aSignatureVersion1MessageSignedByTheTrustedCertificateVerifies(Vertx vertx, VertxTestContext context) {
    authenticateOnContext(vertx, provider(vertx), request(signedNotification("/certs/signer.pem", signer, 1), Map.of()))
        .onComplete(context.succeedingThenComplete());
  }

  @Test
  void aSignatureVersion2MessageSignedByTheTrustedCertificateVerifies(Vertx vertx, VertxTestContext context) {
    authenticateOnContext(vertx, provider(vertx), request(signedNotification("/certs/signer.pem", signer, 2), Map.of()))
        .onComplete(context.succeedingThenComplete());
  }

  @Test
  void aMessageChangedAfterSigningIsRefused(Vertx vertx, VertxTestContext context) {
    JsonObject tampered = signedNotification("/certs/signer.pem", signer, 2).put("Message", "{\"eventType\":\"Bounce\"}");

    expectRefusal(authenticateOnContext(vertx, provider(vertx), request(tampered, Map.of())), context, 401, "sns_signature_mismatch", () -> {});
  }

  @Test
  void aMessageSignedWithAnotherKeyThanTheCertificatesIsRefused(Vertx vertx, VertxTestContext context) {
    JsonObject envelope = signedNotification("/certs/signer.pem", signer, 1);
    JsonObject forged = SnsTestPki.sign(envelope, SnsTestPki.rsa().getPrivate(), 1);

    expectRefusal(authenticateOnContext(vertx, provider(vertx), request(forged, Map.of())), context, 401, "sns_signature_mismatch", () -> {});
  }

  @Test
  void aTopicNotInTheAllowListIsRefusedBeforeAnythingIsFetched(Vertx vertx, VertxTestContext context) {
    JsonObject envelope = SnsTestPki.notification("arn:aws:sns:us-east-1:999999999999:someone-else", "m-1", "{}", null,
        server.url("/certs/signer.pem"));
    server.serve("/certs/signer.pem", signer.pem());

    expectRefusal(authenticateOnContext(vertx, provider(vertx), request(SnsTestPki.sign(envelope, signer.keys().getPrivate(), 2), Map.of())),
        context, 401, "sns_topic_not_allowed", () -> assertThat(server.totalHits()).isZero());
  }

  @Test
  void aCertificateUrlOutsideThePatternIsRefusedWithoutAnyFetch(Vertx vertx, VertxTestContext context) {
    server.serve("/other/signer.pem", signer.pem()).serve("/certs/signer.pem", signer.pem());
    SesProvider provider = provider(vertx);
    List<String> urls = List.of(server.url("/other/signer.pem"), server.url("/certs/signer.pem.txt"),
        server.url("/certs/signer.pem?x=1"), server.url("/certs/../other/signer.pem"),
        "http://user@127.0.0.1:" + server.port() + "/certs/signer.pem", "https://evil.example/certs/signer.pem");
    List<Future<Void>> results = new ArrayList<>();
    for (String url : urls) {
      JsonObject envelope = SnsTestPki.notification(TOPIC, "m-1", "{}", null, url);
      results.add(authenticateOnContext(vertx, provider, request(SnsTestPki.sign(envelope, signer.keys().getPrivate(), 2), Map.of())));
    }

    Future.join(results).onComplete(done -> context.verify(() -> {
      assertThat(results).allSatisfy(result -> assertThat(result.cause()).isInstanceOfSatisfying(WebhookException.class,
          e -> assertThat(e.reason()).isEqualTo("sns_cert_url_not_allowed")));
      assertThat(server.totalHits()).isZero();
      context.completeNow();
    }));
  }

  @Test
  void aCertificateThatDoesNotChainToTheTrustAnchorIsRefused(Vertx vertx, VertxTestContext context) {
    Issued stranger = SnsTestPki.signingCert(SnsTestPki.rootCa("CN=Someone Else's CA"));

    expectRefusal(authenticateOnContext(vertx, provider(vertx), request(signedNotification("/certs/stranger.pem", stranger, 2), Map.of())),
        context, 401, "sns_cert_untrusted", () -> {});
  }

  @Test
  void aSelfSignedCertificateIsRefused(Vertx vertx, VertxTestContext context) {
    Issued selfSigned = SnsTestPki.rootCa("CN=sns.amazonaws.com");

    expectRefusal(authenticateOnContext(vertx, provider(vertx), request(signedNotification("/certs/self.pem", selfSigned, 2), Map.of())),
        context, 401, "sns_cert_untrusted", () -> {});
  }

  @Test
  void anExpiredCertificateIsRefused(Vertx vertx, VertxTestContext context) {
    Issued expired = SnsTestPki.signingCert(root, Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)), null);

    expectRefusal(authenticateOnContext(vertx, provider(vertx), request(signedNotification("/certs/expired.pem", expired, 2), Map.of())),
        context, 401, "sns_cert_untrusted", () -> {});
  }

  @Test
  void withoutConfiguredAnchorsTheJvmTrustStoreDecidesAndDoesNotKnowTheTestCa(Vertx vertx, VertxTestContext context) {
    JsonObject settings = server.settings(anchors.toString());
    settings.remove("cert_trust_anchors");

    expectRefusal(authenticateOnContext(vertx, SnsTestServer.provider(vertx, settings, Clock.systemUTC()),
        request(signedNotification("/certs/signer.pem", signer, 2), Map.of())), context, 401, "sns_cert_untrusted", () -> {});
  }

  @Test
  void aMissingIntermediateIsFetchedFromTheAuthorityInformationAccessUrl(Vertx vertx, VertxTestContext context) throws Exception {
    Issued intermediate = SnsTestPki.intermediateCa("CN=Test SNS Intermediate", root, null);
    server.serve("/issuers/intermediate.cer", Buffer.buffer(intermediate.certificate().getEncoded()));
    Issued leaf = SnsTestPki.signingCert(intermediate, Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)),
        server.url("/issuers/intermediate.cer"));

    authenticateOnContext(vertx, provider(vertx), request(signedNotification("/certs/leaf.pem", leaf, 2), Map.of()))
        .onComplete(context.succeeding(v -> context.verify(() -> {
          assertThat(server.hits("/issuers/intermediate.cer")).isEqualTo(1);
          context.completeNow();
        })));
  }

  @Test
  void concurrentRequestsShareOneFetchAndLaterOnesUseTheCache(Vertx vertx, VertxTestContext context) {
    SesProvider provider = provider(vertx);
    WebhookRequest request = request(signedNotification("/certs/signer.pem", signer, 2), Map.of());
    server.delay("/certs/signer.pem", 300);
    List<Future<Void>> concurrent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      concurrent.add(authenticateOnContext(vertx, provider, request));
    }

    Future.all(concurrent)
        .compose(v -> authenticateOnContext(vertx, provider, request))
        .onComplete(context.succeeding(v -> context.verify(() -> {
          assertThat(server.hits("/certs/signer.pem")).isEqualTo(1);
          context.completeNow();
        })));
  }

  @Test
  void theCacheIsBoundedAndForgetsTheLeastRecentlyUsedCertificate(Vertx vertx, VertxTestContext context) {
    SesProvider provider = provider(vertx);
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i <= SnsCertificates.MAX_ENTRIES; i++) {
      String path = "/certs/signer-" + i + ".pem";
      chain = chain.compose(v -> authenticateOnContext(vertx, provider, request(signedNotification(path, signer, 2), Map.of())));
    }

    chain.compose(v -> authenticateOnContext(vertx, provider, request(signedNotification("/certs/signer-0.pem", signer, 2), Map.of())))
        .onComplete(context.succeeding(v -> context.verify(() -> {
          assertThat(server.hits("/certs/signer-0.pem")).isEqualTo(2);
          assertThat(server.hits("/certs/signer-" + SnsCertificates.MAX_ENTRIES + ".pem")).isEqualTo(1);
          context.completeNow();
        })));
  }

  @Test
  void aFailedFetchIsNotCached(Vertx vertx, VertxTestContext context) {
    SesProvider provider = provider(vertx);
    WebhookRequest request = request(signedNotification("/certs/signer.pem", signer, 2), Map.of());
    server.status("/certs/signer.pem", 404);

    authenticateOnContext(vertx, provider, request)
        .recover(notFound -> {
          server.status("/certs/signer.pem", 200);
          return authenticateOnContext(vertx, provider, request);
        })
        .onComplete(context.succeeding(v -> context.verify(() -> {
          assertThat(server.hits("/certs/signer.pem")).isEqualTo(2);
          context.completeNow();
        })));
  }

  @Test
  void anSnsHostThatCannotBeReachedAnswers503SoSnsRetries(Vertx vertx, VertxTestContext context) {
    JsonObject settings = server.settings(anchors.toString()).put("cert_url_pattern", "http://127\\.0\\.0\\.1:1/certs/[a-z]+\\.pem");
    JsonObject envelope = SnsTestPki.notification(TOPIC, "m-1", "{}", null, "http://127.0.0.1:1/certs/signer.pem");

    expectRefusal(authenticateOnContext(vertx, SnsTestServer.provider(vertx, settings, Clock.systemUTC()),
        request(SnsTestPki.sign(envelope, signer.keys().getPrivate(), 2), Map.of())), context, 503, "sns_cert_unreachable", () -> {});
  }

  @Test
  void anOversizedCertificateResponseIsRefused(Vertx vertx, VertxTestContext context) {
    JsonObject envelope = signedNotification("/certs/signer.pem", signer, 2);
    server.serve("/certs/signer.pem", signer.pem() + "x".repeat(SnsCertificates.MAX_CERTIFICATE_BYTES));

    expectRefusal(authenticateOnContext(vertx, provider(vertx), request(envelope, Map.of())), context, 401, "sns_cert_too_large", () -> {});
  }

  @Test
  void aResponseThatIsNoCertificateIsRefused(Vertx vertx, VertxTestContext context) {
    JsonObject envelope = signedNotification("/certs/signer.pem", signer, 2);
    server.serve("/certs/signer.pem", "<html>not a certificate</html>");

    expectRefusal(authenticateOnContext(vertx, provider(vertx), request(envelope, Map.of())), context, 401, "sns_cert_unreadable", () -> {});
  }
}
