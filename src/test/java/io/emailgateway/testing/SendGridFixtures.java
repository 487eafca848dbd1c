package io.emailgateway.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** SendGrid requests as SendGrid sends them: a JSON array, CRLF after each event, signed with a P-256 key. */
public final class SendGridFixtures {
  private final KeyPair keys;

  public SendGridFixtures() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      keys = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The base64 "verification key" to configure as {@code public_keys}. */
  public String publicKey() {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  /** A fresh unique event id, so tests never collide with each other's rows. */
  public static String eventId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** One SendGrid event object as compact JSON. */
  public static String event(String eventId, String type, String email) {
    return event(eventId, type, email, 1600112492);
  }

  /** One SendGrid event that happened at {@code timestamp} (unix seconds). */
  public static String event(String eventId, String type, String email, long timestamp) {
    return "{\"email\":\"" + email + "\",\"event\":\"" + type + "\",\"sg_event_id\":\"" + eventId
        + "\",\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\","
        + "\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":" + timestamp + ","
        + "\"category\":[\"welcome\"],\"customer_id\":\"42\"}";
  }

  /** The body SendGrid posts for these events: {@code [e1},CRLF{e2}]CRLF}. */
  public static byte[] batch(List<String> events) {
    return ("[" + events.stream().collect(Collectors.joining(",\r\n")) + "]\r\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Headers of a request signed with this key pair at {@code timestamp}. */
  public Map<String, String> signedHeaders(byte[] body, long timestamp) {
    return signWith(keys.getPrivate(), body, timestamp);
  }

  /** Headers of a request signed with {@code key} at {@code timestamp}. */
  public static Map<String, String> signWith(java.security.PrivateKey key, byte[] body, long timestamp) {
    try {
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(key);
      signer.update(Long.toString(timestamp).getBytes(StandardCharsets.UTF_8));
      signer.update(body);
      return Map.of("Content-Type", "application/json",
          "X-Twilio-Email-Event-Webhook-Timestamp", Long.toString(timestamp),
          "X-Twilio-Email-Event-Webhook-Signature", Base64.getEncoder().encodeToString(signer.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Signs with a base64 PKCS#8 private key, as written by {@code keygen sendgrid}. */
  public static Map<String, String> signWithPrivateKey(String base64Pkcs8, byte[] body, long timestamp) {
    try {
      java.security.PrivateKey key = java.security.KeyFactory.getInstance("EC")
          .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64Pkcs8)));
      return signWith(key, body, timestamp);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public Map<String, String> signedHeaders(byte[] body) {
    return signedHeaders(body, System.currentTimeMillis() / 1000);
  }
}
