package io.emailgateway.provider.it;

import static io.emailgateway.provider.SnsTestServer.TOPIC;
import static io.emailgateway.provider.it.Signing.basic;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.provider.SnsTestPki;
import io.emailgateway.provider.SnsTestPki.Issued;
import io.emailgateway.provider.SnsTestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Amazon SES events through an SNS HTTP subscription. SNS posts its JSON envelope as
 * {@code text/plain; charset=UTF-8}, the SES record a JSON string in {@code Message}, signed with
 * RSA over the canonical string; the signing certificate comes from {@code SigningCertURL}. Here a
 * local server on 127.0.0.1 stands in for the SNS host, {@code cert_url_pattern} and
 * {@code subscribe_url_pattern} point at it, and {@code cert_trust_anchors} is the test's own CA.
 * Basic auth is configured too, which SNS only sends after a 401 challenge.
 */
class SesWebhookIT extends ProviderWebhookContract {
  private static final String SUBSCRIPTION = TOPIC + ":6f1b1c2a-7d0e-4b8f-9a51-3c2d1e0f9a8b";
  private final String password = Signing.randomHex(16);
  private final String genuineMessageId = UUID.randomUUID().toString();
  private final String otherMessageId = UUID.randomUUID().toString();
  private Vertx snsHost;
  private SnsTestServer sns;
  private Issued root;
  private Issued signer;
  private Path anchors;

  @Override
  protected void beforeGateway() throws Exception {
    root = SnsTestPki.rootCa("CN=Test SNS Root CA");
    signer = SnsTestPki.signingCert(root);
    anchors = Files.createTempFile("sns-anchors", ".pem");
    Files.writeString(anchors, root.pem());
    snsHost = Vertx.vertx();
    sns = new SnsTestServer(snsHost);
    sns.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    sns.serve("/certs/signer.pem", signer.pem()).serve("/confirm", "<ConfirmSubscriptionResponse/>");
  }

  @Override
  protected void afterGateway() throws Exception {
    snsHost.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Files.deleteIfExists(anchors);
  }

  @Override
  protected String provider() {
    return "ses";
  }

  @Override
  protected JsonObject sourceSettings() {
    return sns.settings(anchors.toString())
        .put("basic_auth", new JsonArray().add(new JsonObject().put("username", "sns").put("password", password)));
  }

  /** A permanent bounce for two of the message's recipients (event publishing record, SignatureVersion 1). */
  @Override
  protected WebhookPost genuineRequest() {
    return authorized(notification(genuineMessageId, TOPIC, bounceRecord(), signer.keys().getPrivate(), 1, "/certs/signer.pem"));
  }

  @Override
  protected List<Expected> expectedEvents() {
    JsonObject record = new JsonObject(bounceRecord());
    String common = "\"type\":\"bounced\",\"bounce_type\":\"hard\",\"reject_reason\":\"bounced\",\"description\":\"Permanent: General\","
        + "\"message_id\":\"0100017f1d2c3b4a-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000\",\"occurred_at\":\"2024-05-01T10:00:03.120Z\","
        + "\"sender\":\"sender@example.com\",\"subject\":\"Your order\"";
    return List.of(
        expected(genuineMessageId + ":jane@example.com", record,
            "{" + common + ",\"recipient\":\"jane@example.com\",\"mta_response\":\"smtp; 550 5.1.1 user unknown\"}"),
        expected(genuineMessageId + ":richard@example.com", record,
            "{" + common + ",\"recipient\":\"richard@example.com\",\"mta_response\":\"smtp; 550 5.1.1 mailbox unavailable\"}"));
  }

  /** A delivery (identity notification record, SignatureVersion 2). */
  @Override
  protected WebhookPost otherRequest() {
    return authorized(notification(otherMessageId, TOPIC, deliveryRecord(), signer.keys().getPrivate(), 2, "/certs/signer.pem"));
  }

  @Override
  protected List<Expected> expectedEventsOfOther() {
    return List.of(expected(otherMessageId + ":mary@example.com", new JsonObject(deliveryRecord()), """
        {"type":"delivered","recipient":"mary@example.com","occurred_at":"2024-05-01T10:00:01.546Z",
         "message_id":"0100017f1d2c3b4a-11112222-3333-4444-5555-666677778888-000000",
         "mta_response":"250 2.0.0 OK  1714557601 x1si123456qkb.42 - gsmtp"}"""));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    Issued stranger = SnsTestPki.signingCert(SnsTestPki.rootCa("CN=Someone Else's CA"));
    sns.serve("/certs/stranger.pem", stranger.pem());
    PrivateKey key = signer.keys().getPrivate();
    return List.of(
        forgery("wrong basic-auth password", other.withHeader("Authorization", basic("sns", "guessed"))),
        forgery("no credentials", other.withoutHeader("Authorization")),
        forgery("Message changed after signing", other.withBody(other.text().replace("mary@example.com", "eve@example.com"))),
        forgery("signed with a key that is not the certificate's",
            authorized(notification(otherMessageId, TOPIC, deliveryRecord(), SnsTestPki.rsa().getPrivate(), 2, "/certs/signer.pem"))),
        forgery("certificate from a CA that is not trusted",
            authorized(notification(otherMessageId, TOPIC, deliveryRecord(), stranger.keys().getPrivate(), 2, "/certs/stranger.pem"))),
        forgery("topic not in topic_arns", authorized(notification(otherMessageId, "arn:aws:sns:us-east-1:999999999999:other",
            deliveryRecord(), key, 2, "/certs/signer.pem"))),
        forgery("certificate URL outside cert_url_pattern",
            authorized(notification(otherMessageId, TOPIC, deliveryRecord(), key, 2, "/elsewhere/signer.pem"))));
  }

  @Test
  @Order(4)
  void snsIsChallengedForCredentialsAndThenDelivers() {
    WebhookPost sent = authorized(notification(UUID.randomUUID().toString(), TOPIC, sendRecord(), signer.keys().getPrivate(), 1,
        "/certs/signer.pem"));
    long stored = storedCount();

    HttpResponse<String> challenge = post(sent.withoutHeader("Authorization"));

    assertThat(challenge.statusCode()).isEqualTo(401);
    assertThat(challenge.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"ses\"");
    assertThat(storedCount()).isEqualTo(stored);
    assertAnswer(post(sent), 1, 0);
  }

  @Test
  @Order(5)
  void subscriptionConfirmationIsConfirmedByGettingTheSubscribeUrl() {
    String subscribeUrl = sns.url("/confirm?Action=ConfirmSubscription&TopicArn=" + TOPIC + "&Token=2336412f37fb687f5d51e6e241d09c80");
    JsonObject confirmation = SnsTestPki.sign(
        SnsTestPki.confirmation("SubscriptionConfirmation", TOPIC, subscribeUrl, sns.url("/certs/signer.pem")), signer.keys().getPrivate(), 1);
    long stored = storedCount();

    assertAnswer(post(authorized(confirmation)), 0, 0);

    assertThat(sns.hits("/confirm")).isEqualTo(1);
    assertThat(storedCount()).isEqualTo(stored);
  }

  @Test
  @Order(6)
  void noticesWithoutAnEmailEventAreAcknowledgedAndStoreNothing() {
    PrivateKey key = signer.keys().getPrivate();
    JsonObject unsubscribed = SnsTestPki.sign(SnsTestPki.confirmation("UnsubscribeConfirmation", TOPIC,
        sns.url("/confirm?Action=ConfirmSubscription&TopicArn=" + TOPIC + "&Token=7a9f"), sns.url("/certs/signer.pem")), key, 2);
    JsonObject topicValidated = notification(UUID.randomUUID().toString(), TOPIC,
        "Successfully validated SNS topic for Amazon SES event publishing.", key, 1, "/certs/signer.pem");
    long stored = storedCount();

    assertAnswer(post(authorized(unsubscribed)), 0, 0);
    assertAnswer(post(authorized(topicValidated)), 0, 0);

    assertThat(storedCount()).isEqualTo(stored);
  }

  /** A Notification envelope in the field order SNS uses, signed as SNS signs it. */
  private JsonObject notification(String messageId, String topic, String record, PrivateKey key, int version, String certPath) {
    JsonObject envelope = new JsonObject()
        .put("Type", "Notification").put("MessageId", messageId).put("TopicArn", topic)
        .put("Message", record).put("Timestamp", "2024-05-01T10:00:04.002Z")
        .put("SignatureVersion", "").put("Signature", "")
        .put("SigningCertURL", sns.url(certPath))
        .put("UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + SUBSCRIPTION);
    return SnsTestPki.sign(envelope, key, version);
  }

  private WebhookPost authorized(JsonObject envelope) {
    return snsRequest(envelope).withHeader("Authorization", basic("sns", password));
  }

  /** The request as SNS posts it: its headers, and the envelope pretty-printed the way SNS writes it. */
  private static WebhookPost snsRequest(JsonObject envelope) {
    String body = envelope.stream().map(field -> "  " + Json.encode(field.getKey()) + " : " + Json.encode(field.getValue()))
        .collect(Collectors.joining(",\n", "{\n", "\n}"));
    return WebhookPost.of("text/plain; charset=UTF-8", body)
        .withHeader("x-amz-sns-message-type", envelope.getString("Type"))
        .withHeader("x-amz-sns-message-id", envelope.getString("MessageId"))
        .withHeader("x-amz-sns-topic-arn", envelope.getString("TopicArn"))
        .withHeader("x-amz-sns-subscription-arn", SUBSCRIPTION)
        .withHeader("User-Agent", "Amazon Simple Notification Service Agent");
  }

  private static String bounceRecord() {
    return """
        {"eventType":"Bounce","bounce":{"feedbackId":"0100017f1d2c3b4a-aaaabbbb-cccc-dddd-eeee-ffff00001111-000000",\
        "bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[\
        {"emailAddress":"jane@example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"},\
        {"emailAddress":"richard@example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 mailbox unavailable"}],\
        "timestamp":"2024-05-01T10:00:03.120Z","reportingMTA":"dsn; a8-50.smtp-out.amazonses.com"},\
        "mail":{"timestamp":"2024-05-01T10:00:01.000Z","source":"sender@example.com",\
        "sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.com","sendingAccountId":"123456789012",\
        "messageId":"0100017f1d2c3b4a-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000",\
        "destination":["jane@example.com","mary@example.com","richard@example.com"],"headersTruncated":false,\
        "commonHeaders":{"from":["sender@example.com"],"to":["jane@example.com","mary@example.com","richard@example.com"],\
        "subject":"Your order"},"tags":{"ses:configuration-set":["events"]}}}
        """;
  }

  private static String deliveryRecord() {
    return """
        {"notificationType":"Delivery","mail":{"timestamp":"2024-05-01T10:00:01.000Z","source":"sender@example.com",\
        "messageId":"0100017f1d2c3b4a-11112222-3333-4444-5555-666677778888-000000","destination":["mary@example.com"]},\
        "delivery":{"timestamp":"2024-05-01T10:00:01.546Z","processingTimeMillis":546,"recipients":["mary@example.com"],\
        "smtpResponse":"250 2.0.0 OK  1714557601 x1si123456qkb.42 - gsmtp","reportingMTA":"a8-70.smtp-out.amazonses.com"}}
        """;
  }

  private static String sendRecord() {
    return """
        {"eventType":"Send","mail":{"timestamp":"2024-05-01T11:00:00.000Z","source":"sender@example.com",\
        "messageId":"0100017f1d2c3b4a-99998888-7777-6666-5555-444433332222-000000","destination":["joe@example.com"]},"send":{}}
        """;
  }
}
