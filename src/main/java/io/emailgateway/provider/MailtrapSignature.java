package io.emailgateway.provider;

import io.emailgateway.auth.ConstantTime;
import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.ConfigSection;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Mailtrap's webhook signature: {@code Mailtrap-Signature: hex(HMAC-SHA256(signing_secret,
 * raw body))}, lower-case, 64 characters. The secret is used as its UTF-8 text (the
 * {@code signing_secret} the Webhooks API returns, not decoded). Sources: Mailtrap's official
 * SDK helpers (e.g. mailtrap-dotnet {@code WebhookSignature}, mailtrap-ruby
 * {@code Mailtrap::Webhooks.verify_signature} with the fixture shared by all its SDKs),
 * docs.mailtrap.io "webhook signature verification", and django-anymail's Mailtrap view.
 */
final class MailtrapSignature {
  static final String HEADER = "Mailtrap-Signature";
  private static final int HEX_LENGTH = 64;

  private final List<byte[]> secrets;

  private MailtrapSignature(List<byte[]> secrets) {
    this.secrets = secrets;
  }

  /** {@code signing_secrets}: several during a rotation, any one verifies. */
  static MailtrapSignature fromConfig(ConfigSection settings) {
    return new MailtrapSignature(settings.strings("signing_secrets").stream()
        .map(secret -> secret.getBytes(StandardCharsets.UTF_8)).toList());
  }

  boolean isConfigured() {
    return !secrets.isEmpty();
  }

  /** Throws 401 unless the header is the HMAC of the raw body under one of the secrets. */
  void verify(WebhookRequest request) {
    String header = request.header(HEADER);
    if (header == null || header.isBlank()) {
      throw WebhookException.unauthorized("missing " + HEADER + " header");
    }
    byte[] presented = decodeHex(header.trim());
    if (presented == null) {
      throw WebhookException.unauthorized(HEADER + " is not 64 hex digits");
    }
    byte[] body = request.bodyBytes();
    boolean match = false;
    for (byte[] secret : secrets) {
      match |= ConstantTime.equals(Hmacs.hmac("HmacSHA256", secret, body), presented);
    }
    if (!match) {
      throw WebhookException.unauthorized(HEADER + " does not match the body under any signing secret");
    }
  }

  private static byte[] decodeHex(String hex) {
    if (hex.length() != HEX_LENGTH) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
