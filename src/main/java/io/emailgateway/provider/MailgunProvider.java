package io.emailgateway.provider;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.emailgateway.auth.ConstantTime;
import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.EmailEvent;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Mailgun's event webhooks: the current ones (JSON, one event, {@code {"signature":{…},
 * "event-data":{…}}}) and the legacy form posts (mapped by {@link MailgunLegacyEvents}).
 *
 * <p>Mailgun signs only {@code timestamp + token} (no separator, lower-case hex HMAC-SHA256 under
 * the account's HTTP webhook signing key), not the body. Any key of {@code signing_keys} may match
 * {@code signature}, or {@code parent-signature}, which Mailgun adds for a subaccount's domains,
 * computed with the primary account's key. Because the body is unsigned, a captured signature block
 * could be attached to a forged {@code event-data}; Mailgun's answer is to honour each token once.
 * The event key is therefore the token: the events table is that token cache, durable, and it
 * remembers a token only once its request committed, so a retry after a 503 still gets in (DESIGN
 * "Freshness and replays") while any other body under a seen token is stored as a duplicate, never
 * as a new event. Retries resend the original signature block (Hookdeck's Mailgun notes; Mailgun's
 * docs are silent), so they deduplicate too. {@code event-data.id} is not used: it is "only
 * guaranteed to be unique during a single day" (anymail) and, being unsigned, a forger picks it.
 *
 * <p>{@code timestamp_tolerance} is off by default: retries carry the original timestamp and come
 * for about 8 hours (REFERENCE §4.5), and Mailgun warns its delivery can lag, so a short window
 * would turn an outage into lost events. A configured window below {@link #MIN_TOLERANCE} is refused.
 *
 * <p>The events are mapped by {@link MailgunEvents} and {@link MailgunLegacyEvents}.
 */
public final class MailgunProvider implements SynchronousProvider {
  /** Mailgun's published retry schedules span 7.5 to 8 hours, plus an hour for its own delays. */
  static final Duration MIN_TOLERANCE = Duration.ofHours(9);

  private static final String JSON = "application/json";
  private static final Set<String> CONTENT_TYPES = Set.of(JSON, FormFields.URLENCODED, FormFields.MULTIPART);

  private final String sourceId;
  private final List<byte[]> signingKeys;
  private final Duration tolerance;

  public MailgunProvider(SourceConfig source) {
    ConfigSection settings = source.settings();
    List<String> keys = settings.strings("signing_keys");
    if (keys.isEmpty()) {
      throw new MissingCredentialsException(settings.key("signing_keys"));
    }
    this.sourceId = source.id();
    this.signingKeys = keys.stream().map(key -> key.getBytes(UTF_8)).toList();
    this.tolerance = tolerance(settings);
  }

  /** Null when off (absent or 0). */
  private static Duration tolerance(ConfigSection settings) {
    Duration value = settings.duration("timestamp_tolerance", Duration.ZERO);
    if (!value.isZero() && value.compareTo(MIN_TOLERANCE) < 0) {
      throw ConfigException.invalid(settings.key("timestamp_tolerance"), "must be 0 (off) or at least "
          + MIN_TOLERANCE.toHours() + "h: Mailgun retries a failed delivery for 8 hours with its first signature");
    }
    return value.isZero() ? null : value;
  }

  @Override
  public String name() {
    return "mailgun";
  }

  @Override
  public boolean acceptsContentType(String mediaType) {
    return mediaType != null && CONTENT_TYPES.contains(mediaType);
  }

  @Override
  public void verify(WebhookRequest request) {
    verify(signature(request), request.receivedAt());
  }

  /** The token Mailgun signs: honoured once (replay cache first, the events table's key after). */
  @Override
  public String replayNonce(WebhookRequest request) {
    return signature(request).token();
  }

  private record Signature(String timestamp, String token, String signature, String parentSignature) {}

  private static Signature signature(WebhookRequest request) {
    if (JSON.equals(request.contentType())) {
      JsonObject block = JsonFields.object(request.jsonObject(), "signature");
      if (block == null) {
        throw WebhookException.unauthorized("signature block missing");
      }
      return new Signature(JsonFields.text(block, "timestamp"), JsonFields.text(block, "token"),
          JsonFields.text(block, "signature"), JsonFields.text(block, "parent-signature"));
    }
    // Legacy: user variables named like these fields are merged in before Mailgun's own values.
    FormFields form = FormFields.parse(request);
    return new Signature(form.last("timestamp"), form.last("token"), form.last("signature"), null);
  }

  private void verify(Signature presented, Instant now) {
    if (isBlank(presented.timestamp()) || isBlank(presented.token()) || isBlank(presented.signature())) {
      throw WebhookException.unauthorized("signature fields missing");
    }
    byte[] signed = (presented.timestamp() + presented.token()).getBytes(UTF_8);
    List<byte[]> expected = signingKeys.stream()
        .map(key -> HexFormat.of().formatHex(Hmacs.hmac("HmacSHA256", key, signed)).getBytes(US_ASCII)).toList();
    boolean matches = ConstantTime.equalsAny(expected, lowerCaseBytes(presented.signature()))
        | (presented.parentSignature() != null
            && ConstantTime.equalsAny(expected, lowerCaseBytes(presented.parentSignature())));
    if (!matches) {
      throw WebhookException.unauthorized("signature mismatch");
    }
    if (tolerance != null) {
      checkFreshness(presented.timestamp(), now);
    }
  }

  private void checkFreshness(String timestamp, Instant now) {
    Instant signedAt;
    try {
      signedAt = Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
    } catch (NumberFormatException | DateTimeException e) {
      throw WebhookException.unauthorized("signature timestamp is not a time");
    }
    if (Duration.between(signedAt, now).abs().compareTo(tolerance) > 0) {
      throw WebhookException.unauthorized("signature timestamp outside tolerance");
    }
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    EmailEvent.Builder builder = EmailEvent.builder(sourceId, name());
    if (JSON.equals(request.contentType())) {
      return List.of(MailgunEvents.toEvent(builder, request.jsonObject(), request.bodyText(), request.receivedAt()));
    }
    return List.of(MailgunLegacyEvents.toEvent(builder, FormFields.parse(request), request.receivedAt()));
  }

  private static byte[] lowerCaseBytes(String hex) {
    return hex.trim().toLowerCase(Locale.ROOT).getBytes(UTF_8);
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    // The JSON webhook stores its whole payload (with "event-data"); the legacy one its form fields.
    return parse(espEvent.getValue("event-data") instanceof JsonObject
        ? StoredEventRequests.json(sourceId, espEvent, fallbackTime)
        : StoredEventRequests.form(sourceId, espEvent, fallbackTime));
  }
}
