package io.emailgateway.handler.forward;

import io.emailgateway.auth.Hmacs;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the signed content is
 * {@code id.timestamp.body} with the raw body bytes, HMAC-SHA256 keyed with the base64-decoded
 * part of the {@code whsec_} secret, sent as {@code v1,<base64>}; several secrets give several
 * space-separated signatures, any of which a receiver may verify (secret rotation).
 */
public final class WebhookSigner {
  private WebhookSigner() {}

  public static String signature(List<byte[]> keys, String id, long timestampSeconds, byte[] body) {
    byte[] prefix = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
    StringJoiner signatures = new StringJoiner(" ");
    for (byte[] key : keys) {
      signatures.add("v1," + Base64.getEncoder().encodeToString(Hmacs.hmac("HmacSHA256", key, prefix, body)));
    }
    return signatures.toString();
  }
}
