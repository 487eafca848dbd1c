package io.emailgateway.provider;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * One Amazon SNS HTTP(S) delivery: the JSON envelope SNS POSTs. Every value is the JSON string
 * exactly as decoded from the raw body; the signature covers those strings, so nothing here is
 * re-rendered (a re-formatted {@code Timestamp} would no longer verify).
 */
final class SnsMessage {
  static final String NOTIFICATION = "Notification";
  static final String SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation";
  static final String UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation";
  private static final Set<String> TYPES = Set.of(NOTIFICATION, SUBSCRIPTION_CONFIRMATION, UNSUBSCRIBE_CONFIRMATION);

  // The signed fields in the order SNS concatenates them, each as "Name\nvalue\n" (AWS "Verifying the
  // signatures of Amazon SNS messages"; aws-php-sns-message-validator getStringToSign). Subject is
  // signed only when the message was published with one.
  private static final List<String> NOTIFICATION_SIGNED =
      List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type");
  private static final List<String> CONFIRMATION_SIGNED =
      List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type");

  private final JsonObject json;

  private SnsMessage(JsonObject json) {
    this.json = json;
  }

  /** The envelope of a request body, or 400 when the body is not an SNS message at all. */
  static SnsMessage parse(Buffer body) {
    SnsMessage message = new SnsMessage(JsonFields.object(body));
    String type = message.field("Type");
    if (type == null || !TYPES.contains(type)) {
      throw WebhookException.badRequest("Type is not an SNS message type: " + type);
    }
    return message;
  }

  String type() { return field("Type"); }
  String messageId() { return field("MessageId"); }
  String topicArn() { return field("TopicArn"); }
  String message() { return field("Message"); }
  String timestamp() { return field("Timestamp"); }
  String signingCertUrl() { return field("SigningCertURL"); }
  String subscribeUrl() { return field("SubscribeURL"); }

  /** A string field of the envelope, null when absent; 400 when it holds anything but a string. */
  String field(String name) {
    Object value = json.getValue(name);
    if (value != null && !(value instanceof String)) {
      throw WebhookException.badRequest("SNS field " + name + " is not a string");
    }
    return (String) value;
  }

  /**
   * SNS repeats Type and MessageId in {@code x-amz-sns-message-type}/{@code -id}; a request
   * whose headers contradict its body was not sent by SNS as is.
   */
  void requireHeadersMatch(WebhookRequest request) {
    requireSame(request.header("x-amz-sns-message-type"), type(), "x-amz-sns-message-type");
    requireSame(request.header("x-amz-sns-message-id"), messageId(), "x-amz-sns-message-id");
  }

  private static void requireSame(String header, String body, String name) {
    if (header != null && !header.equals(body)) {
      throw WebhookException.badRequest(name + " header does not match the message body");
    }
  }

  /** The JCA algorithm of {@code SignatureVersion}: 1 = SHA1withRSA, 2 = SHA256withRSA. */
  String signatureAlgorithm() {
    String version = field("SignatureVersion");
    if ("1".equals(version)) {
      return "SHA1withRSA";
    }
    if ("2".equals(version)) {
      return "SHA256withRSA";
    }
    throw WebhookException.unauthorized("sns_signature_version_unsupported");
  }

  /** Refuses (401) a message that cannot be verified at all, before anything is fetched for it. */
  void requireSignable() {
    signatureAlgorithm();
    stringToSign();
    signature();
  }

  /** The canonical string SNS signed; 401 when a field it must sign is missing. */
  String stringToSign() {
    List<String> names = NOTIFICATION.equals(type()) ? NOTIFICATION_SIGNED : CONFIRMATION_SIGNED;
    StringBuilder signed = new StringBuilder(256);
    for (String name : names) {
      String value = field(name);
      if (value == null && name.equals("Subject")) {
        continue;
      }
      if (value == null) {
        throw WebhookException.unauthorized("sns_signed_field_missing");
      }
      signed.append(name).append('\n').append(value).append('\n');
    }
    return signed.toString();
  }

  private String signature() {
    String encoded = field("Signature");
    if (encoded == null || encoded.isEmpty()) {
      throw WebhookException.unauthorized("sns_signature_missing");
    }
    return encoded;
  }

  /** Whether {@code Signature} is this message's canonical string signed by the key. */
  boolean isSignedBy(PublicKey key) {
    String encoded = signature();
    try {
      byte[] signature = Base64.getDecoder().decode(encoded);
      Signature verifier = Signature.getInstance(signatureAlgorithm());
      verifier.initVerify(key);
      verifier.update(stringToSign().getBytes(StandardCharsets.UTF_8));
      return verifier.verify(signature);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false;
    }
  }
}
