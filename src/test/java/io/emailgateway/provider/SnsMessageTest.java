package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SNS canonical string and signature math, with the official SignatureVersion 1 vector
 * (aws-sdk-java-v2 sample-message.json, REFERENCE.md §16.6). The vector's certificate expired in
 * 2016; only its public key is used here (the whole flow with it is in SesProviderTest).
 */
class SnsMessageTest {
  private static final String VECTOR = "vectors/sns_v1_sample_message.json";
  private static final String CANONICAL = "Message\nboo\nMessageId\nd39649d4-bf5b-5b80-af75-07acb3dd9b4a\n"
      + "Subject\nthis is raw\nTimestamp\n2015-09-20T01:22:14.001Z\n"
      + "TopicArn\narn:aws:sns:us-east-1:810605503585:just_testing\nType\nNotification\n";

  private static PublicKey vectorKey() throws Exception {
    return CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(TestRequests.resource("vectors/sns_v1_unit_test_cert.pem"))).getPublicKey();
  }

  private static SnsMessage message(byte[] body) {
    return SnsMessage.parse(Buffer.buffer(body));
  }

  private static SnsMessage vectorWith(String field, Object value) {
    JsonObject json = new JsonObject(new String(TestRequests.resource(VECTOR), StandardCharsets.UTF_8));
    if (value == null) {
      json.remove(field);
    } else {
      json.put(field, value);
    }
    return message(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theOfficialVectorsCanonicalStringIsTheOnePublished() {
    assertThat(message(TestRequests.resource(VECTOR)).stringToSign()).isEqualTo(CANONICAL);
  }

  @Test
  void theOfficialSignatureVersion1VectorVerifiesWithItsCertificate() throws Exception {
    SnsMessage vector = message(TestRequests.resource(VECTOR));

    assertThat(vector.signatureAlgorithm()).isEqualTo("SHA1withRSA");
    assertThat(vector.isSignedBy(vectorKey())).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Message", "MessageId", "Subject", "Timestamp", "TopicArn"})
  void changingAnySignedFieldOfTheVectorBreaksTheSignature(String field) throws Exception {
    assertThat(vectorWith(field, "tampered").isSignedBy(vectorKey())).isFalse();
  }

  @Test
  void droppingTheSignedSubjectBreaksTheSignature() throws Exception {
    assertThat(vectorWith("Subject", null).isSignedBy(vectorKey())).isFalse();
  }

  @Test
  void unsignedFieldsMayChangeWithoutBreakingTheSignature() throws Exception {
    assertThat(vectorWith("SigningCertURL", "https://sns.us-east-1.amazonaws.com/other.pem").isSignedBy(vectorKey())).isTrue();
    assertThat(vectorWith("UnsubscribeURL", "https://example.com/").isSignedBy(vectorKey())).isTrue();
  }

  @Test
  void theVectorDoesNotVerifyWithAnotherKey() {
    assertThat(message(TestRequests.resource(VECTOR)).isSignedBy(SnsTestPki.rsa().getPublic())).isFalse();
  }

  @Test
  void theSameSignatureClaimedAsVersion2DoesNotVerify() throws Exception {
    assertThat(vectorWith("SignatureVersion", "2").isSignedBy(vectorKey())).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"3", "", "v1"})
  void anUnknownSignatureVersionIsRefused(String version) {
    assertThatThrownBy(() -> vectorWith("SignatureVersion", version).signatureAlgorithm())
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void aMissingOrEmptySignatureIsRefused() throws Exception {
    PublicKey key = vectorKey();
    assertThatThrownBy(() -> vectorWith("Signature", null).isSignedBy(key)).isInstanceOf(WebhookException.class);
    assertThatThrownBy(() -> vectorWith("Signature", "").isSignedBy(key)).isInstanceOf(WebhookException.class);
    assertThat(vectorWith("Signature", "not base64!").isSignedBy(key)).isFalse();
  }

  @Test
  void aConfirmationSignsSubscribeUrlAndTokenInTheirPlace() {
    byte[] body = ("{\"Type\":\"SubscriptionConfirmation\",\"MessageId\":\"m-1\",\"Token\":\"tok\",\"TopicArn\":\"arn:t\","
        + "\"Message\":\"confirm\",\"SubscribeURL\":\"https://s/?Action=ConfirmSubscription\",\"Timestamp\":\"2026-01-01T00:00:00.000Z\","
        + "\"SignatureVersion\":\"2\",\"Signature\":\"x\",\"SigningCertURL\":\"https://c.pem\"}").getBytes(StandardCharsets.UTF_8);

    assertThat(message(body).stringToSign()).isEqualTo("Message\nconfirm\nMessageId\nm-1\n"
        + "SubscribeURL\nhttps://s/?Action=ConfirmSubscription\nTimestamp\n2026-01-01T00:00:00.000Z\n"
        + "Token\ntok\nTopicArn\narn:t\nType\nSubscriptionConfirmation\n");
  }

  @Test
  void aConfirmationWithoutItsTokenIsRefused() {
    JsonObject json = SnsTestPki.confirmation("SubscriptionConfirmation", "arn:aws:sns:us-west-2:123456789012:T",
        "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription", "https://x/y.pem");
    json.remove("Token");

    assertThatThrownBy(() -> message(json.encode().getBytes(StandardCharsets.UTF_8)).stringToSign())
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.reason()).isEqualTo("sns_signed_field_missing"));
  }

  @Test
  void escapedCharactersAreSignedInTheirDecodedForm() throws Exception {
    byte[] body = "{\"Type\":\"Notification\",\"MessageId\":\"m\",\"TopicArn\":\"t\",\"Message\":\"a\\nb \\u00e9\\/\",\"Timestamp\":\"2026-01-01T00:00:00.000Z\"}"
        .getBytes(StandardCharsets.UTF_8);

    assertThat(message(body).stringToSign()).startsWith("Message\na\nb é/\nMessageId\n");
  }

  @Test
  void aBodyThatIsNotAnSnsMessageIsABadRequest() {
    assertThatThrownBy(() -> message("[]".getBytes(StandardCharsets.UTF_8))).isInstanceOfSatisfying(WebhookException.class,
        e -> assertThat(e.status()).isEqualTo(400));
    assertThatThrownBy(() -> message("{\"Type\":\"Other\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
    assertThatThrownBy(() -> message("{\"Type\":\"Notification\",\"Message\":{}}".getBytes(StandardCharsets.UTF_8)).message())
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void headersThatContradictTheBodyAreRefused() {
    SnsMessage vector = message(TestRequests.resource(VECTOR));
    WebhookRequest mismatched = TestRequests.request("text/plain",
        Map.of("x-amz-sns-message-type", "SubscriptionConfirmation"), TestRequests.resource(VECTOR));
    WebhookRequest matching = TestRequests.request("text/plain", Map.of("x-amz-sns-message-type", "Notification",
        "x-amz-sns-message-id", "d39649d4-bf5b-5b80-af75-07acb3dd9b4a"), TestRequests.resource(VECTOR));

    assertThatThrownBy(() -> vector.requireHeadersMatch(mismatched)).isInstanceOf(WebhookException.class);
    vector.requireHeadersMatch(matching);
  }
}
