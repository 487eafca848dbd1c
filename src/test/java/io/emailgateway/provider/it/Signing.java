package io.emailgateway.provider.it;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives ESPs sign with, written here with the JDK alone (not the gateway's own helpers),
 * and credentials the tests generate for themselves.
 */
final class Signing {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Signing() {}

  static byte[] hmac(String algorithm, byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static String md5Hex(String text) {
    try {
      return hex(MessageDigest.getInstance("MD5").digest(utf8(text)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String rsaSign(String algorithm, PrivateKey key, byte[] body) {
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(body);
      return base64(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair rsaKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code Authorization: Basic …} for these credentials. */
  static String basic(String username, String password) {
    return "Basic " + base64(utf8(username + ":" + password));
  }

  /** A random secret of {@code bytes} bytes as lower-case hex. */
  static String randomHex(int bytes) {
    byte[] secret = new byte[bytes];
    RANDOM.nextBytes(secret);
    return hex(secret);
  }

  /** A Standard Webhooks / Svix signing secret: {@code whsec_} + base64 of 24 random bytes. */
  static String whsecSecret() {
    byte[] key = new byte[24];
    RANDOM.nextBytes(key);
    return "whsec_" + base64(key);
  }

  /**
   * The Standard Webhooks signature header value: {@code v1,} + base64 HMAC-SHA256 over
   * {@code id.timestamp.body}, keyed with the base64-decoded part of the secret.
   */
  static String standardWebhooksSignature(String secret, String id, long timestamp, byte[] body) {
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    return "v1," + base64(hmac("HmacSHA256", key, utf8(id + "." + timestamp + "."), body));
  }
}
