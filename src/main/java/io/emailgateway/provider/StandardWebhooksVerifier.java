package io.emailgateway.provider;

import io.emailgateway.auth.ConstantTime;
import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Standard Webhooks signatures (standardwebhooks.com), which Svix (and so Resend) sends with the
 * header prefix {@code svix-} instead of {@code webhook-}; both are accepted, never mixed within
 * one request. The signed content is {@code <id>.<timestamp>.<raw body>}; the signature header is a
 * space-separated list of {@code v1,<base64 HMAC-SHA256>} entries (several while the sender rotates
 * its secret; other versions such as the asymmetric {@code v1a} are skipped), keyed with the
 * base64-decoded part of a {@code whsec_} secret. Every configured secret is tried, so our side
 * rotates too.
 *
 * <p>The sender signs each delivery attempt afresh with a new timestamp, so a request whose
 * timestamp lies more than the tolerance before or after now is refused: a captured request cannot
 * be replayed later, and one dated ahead (a far-future timestamp would stay "fresh" forever) is not
 * trusted either. Replays inside the window are harmless: the message id is the event key.
 */
final class StandardWebhooksVerifier {
  static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
  private static final String SECRET_PREFIX = "whsec_";
  private static final Pattern TIMESTAMP = Pattern.compile("\\d{1,12}");
  private static final byte[] DOT = {'.'};

  private final List<byte[]> keys;
  private final Duration tolerance;
  private final Clock clock;

  private StandardWebhooksVerifier(List<byte[]> keys, Duration tolerance, Clock clock) {
    this.keys = keys;
    this.tolerance = tolerance;
    this.clock = clock;
  }

  /**
   * Reads {@code signing_secrets} (each {@code whsec_<base64>} or bare base64, padding optional, as
   * the reference libraries accept) and {@code timestamp_tolerance} (default 5 minutes).
   */
  static StandardWebhooksVerifier fromConfig(ConfigSection settings, Clock clock) {
    List<String> secrets = settings.strings("signing_secrets");
    if (secrets.isEmpty()) {
      throw new MissingCredentialsException(settings.key("signing_secrets"));
    }
    List<byte[]> keys = new ArrayList<>();
    for (String secret : secrets) {
      keys.add(decodeSecret(settings, secret));
    }
    Duration tolerance = settings.duration("timestamp_tolerance", DEFAULT_TOLERANCE);
    if (tolerance.isNegative() || tolerance.isZero()) {
      throw ConfigException.invalid(settings.key("timestamp_tolerance"), "must be greater than zero");
    }
    return new StandardWebhooksVerifier(List.copyOf(keys), tolerance, clock);
  }

  private static byte[] decodeSecret(ConfigSection settings, String secret) {
    String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
    try {
      byte[] key = Base64.getDecoder().decode(encoded);
      if (key.length > 0) {
        return key;
      }
    } catch (IllegalArgumentException e) {
      // reported below without echoing the secret
    }
    throw ConfigException.invalid(settings.key("signing_secrets"),
        "each entry must be whsec_ followed by base64 (the signing secret shown by the sender)");
  }

  /** The sender's message id ({@code webhook-id} or {@code svix-id}), the same on every retry; null if absent. */
  static String messageId(WebhookRequest request) {
    return nonEmpty(request.header(prefixOf(request) + "id"));
  }

  /** Passes, or throws {@link WebhookException#unauthorized} naming the check that failed. */
  void verify(WebhookRequest request) {
    String prefix = prefixOf(request);
    String id = nonEmpty(request.header(prefix + "id"));
    String timestamp = nonEmpty(request.header(prefix + "timestamp"));
    String signatures = nonEmpty(request.header(prefix + "signature"));
    if (id == null || timestamp == null || signatures == null) {
      throw WebhookException.unauthorized(prefix + "id, " + prefix + "timestamp or " + prefix + "signature header missing");
    }
    checkFreshness(timestamp);
    List<byte[]> presented = v1Signatures(signatures);
    if (presented.isEmpty()) {
      throw WebhookException.unauthorized("no v1 signature in " + prefix + "signature");
    }
    if (!matchesAny(presented, id, timestamp, request.bodyBytes())) {
      throw WebhookException.unauthorized("signature does not match any signing secret");
    }
  }

  private void checkFreshness(String timestamp) {
    if (!TIMESTAMP.matcher(timestamp).matches()) {
      throw WebhookException.unauthorized("timestamp header is not unix seconds");
    }
    Instant signedAt = Instant.ofEpochSecond(Long.parseLong(timestamp));
    if (Duration.between(signedAt, clock.instant()).abs().compareTo(tolerance) > 0) {
      throw WebhookException.unauthorized("timestamp outside the tolerance of " + tolerance);
    }
  }

  private static List<byte[]> v1Signatures(String header) {
    List<byte[]> result = new ArrayList<>();
    for (String entry : header.trim().split(" +")) {
      if (!entry.startsWith("v1,")) {
        continue;
      }
      try {
        result.add(Base64.getDecoder().decode(entry.substring(3)));
      } catch (IllegalArgumentException e) {
        // a garbled entry cannot match; others in the list still may
      }
    }
    return result;
  }

  /** Compares every presented signature with every key's, without stopping at the first match. */
  private boolean matchesAny(List<byte[]> presented, String id, String timestamp, byte[] body) {
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    byte[] timestampBytes = timestamp.getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (byte[] key : keys) {
      byte[] expected = Hmacs.hmac("HmacSHA256", key, idBytes, DOT, timestampBytes, DOT, body);
      for (byte[] signature : presented) {
        match |= ConstantTime.equals(expected, signature);
      }
    }
    return match;
  }

  /** {@code webhook-} when the request carries any unbranded header, else Svix's {@code svix-}. */
  private static String prefixOf(WebhookRequest request) {
    boolean unbranded = request.header("webhook-id") != null || request.header("webhook-timestamp") != null
        || request.header("webhook-signature") != null;
    return unbranded ? "webhook-" : "svix-";
  }

  private static String nonEmpty(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
