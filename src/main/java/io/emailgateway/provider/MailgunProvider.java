package io.emailgateway.provider;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.emailgateway.auth.ConstantTime;
import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <p>Mapping is anymail's, except: {@code failed} for a suppressed address ({@code suppress-*}) is
 * {@code rejected}, as legacy {@code dropped} is (Mailgun never tried to send); reasons {@code
 * suppress-complaint}, {@code suppress-unsubscribe}, {@code old}, {@code espblock} map to spam,
 * unsubscribed, timed_out, blocked rather than other; a permanent {@code failed} is a hard bounce
 * unless Mailgun gave up retrying ({@code old}: soft). Without {@code event-data.timestamp} the
 * event time is the signature's timestamp. {@code esp_event} is the whole payload, signature included.
 */
public final class MailgunProvider implements WebhookProvider {
  /** Mailgun's published retry schedules span 7.5 to 8 hours, plus an hour for its own delays. */
  static final Duration MIN_TOLERANCE = Duration.ofHours(9);

  private static final String JSON = "application/json";
  private static final Set<String> CONTENT_TYPES = Set.of(JSON, FormFields.URLENCODED, FormFields.MULTIPART);
  private static final Set<String> SUPPRESSIONS = Set.of("suppress-bounce", "suppress-complaint", "suppress-unsubscribe");
  private static final Map<String, EventType> TYPES = Map.of(
      "accepted", EventType.QUEUED, "rejected", EventType.REJECTED, "delivered", EventType.DELIVERED,
      "failed", EventType.BOUNCED, "opened", EventType.OPENED, "clicked", EventType.CLICKED,
      "unsubscribed", EventType.UNSUBSCRIBED, "complained", EventType.COMPLAINED);
  private static final Map<String, RejectReason> REASONS = Map.of(
      "bounce", RejectReason.BOUNCED, "suppress-bounce", RejectReason.BOUNCED,
      "suppress-complaint", RejectReason.SPAM, "suppress-unsubscribe", RejectReason.UNSUBSCRIBED,
      "old", RejectReason.TIMED_OUT, "espblock", RejectReason.BLOCKED);

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
          + MIN_TOLERANCE.toHours() + "h: Mailgun retries a failed delivery for 8 hours with its original signature");
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
  public Future<Void> authenticate(WebhookRequest request) {
    try {
      verify(signature(request), request.receivedAt());
      return Future.succeededFuture();
    } catch (WebhookException e) {
      return Future.failedFuture(e);
    }
  }

  private record Signature(String timestamp, String token, String signature, String parentSignature) {}

  private static Signature signature(WebhookRequest request) {
    if (JSON.equals(request.contentType())) {
      JsonObject block = JsonFields.object(JsonFields.object(request.body()), "signature");
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
    } catch (NumberFormatException e) {
      throw WebhookException.unauthorized("signature timestamp is not a number");
    }
    if (Duration.between(signedAt, now).abs().compareTo(tolerance) > 0) {
      throw WebhookException.unauthorized("signature timestamp outside tolerance");
    }
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    if (JSON.equals(request.contentType())) {
      return List.of(current(request));
    }
    return List.of(MailgunLegacyEvents.toEvent(EmailEvent.builder(sourceId, name()), FormFields.parse(request),
        request.receivedAt()));
  }

  private EmailEvent current(WebhookRequest request) {
    JsonObject payload = JsonFields.object(request.body());
    JsonObject data = JsonFields.object(payload, "event-data");
    if (data == null) {
      throw WebhookException.badRequest("event-data is missing or not a JSON object");
    }
    JsonObject signature = JsonFields.object(payload, "signature");
    JsonObject headers = JsonFields.object(JsonFields.object(data, "message"), "headers");
    JsonObject status = JsonFields.object(data, "delivery-status");
    EventType type = type(data);
    return EmailEvent.builder(sourceId, name())
        .eventKey(JsonFields.text(signature, "token"))
        .type(type)
        .bounceType(bounceType(type, data))
        .rejectReason(rejectReason(type, JsonFields.text(data, "reason")))
        .occurredAt(occurredAt(data, signature, request.receivedAt()))
        .messageId(angleBracketed(JsonFields.text(headers, "message-id")))
        .recipient(recipient(type, data, headers))
        .sender(firstNonBlank(JsonFields.text(JsonFields.object(data, "envelope"), "sender"), JsonFields.text(headers, "from")))
        .subject(JsonFields.text(headers, "subject"))
        .tags(JsonFields.stringOrList(data, "tags"))
        .metadata(JsonFields.object(data, "user-variables"))
        .clickUrl(JsonFields.text(data, "url"))
        .userAgent(JsonFields.text(JsonFields.object(data, "client-info"), "user-agent"))
        .ip(JsonFields.text(data, "ip"))
        .mtaResponse(JsonFields.text(status, "message"))
        .description(description(type, status, data))
        .espEvent(payload)
        .build();
  }

  static EventType type(JsonObject data) {
    String event = JsonFields.text(data, "event");
    EventType type = event == null ? EventType.UNKNOWN : TYPES.getOrDefault(event, EventType.UNKNOWN);
    if (type != EventType.BOUNCED) {
      return type;
    }
    String reason = JsonFields.text(data, "reason");
    if (reason != null && SUPPRESSIONS.contains(reason)) {
      return EventType.REJECTED;
    }
    return "temporary".equals(JsonFields.text(data, "severity")) ? EventType.DEFERRED : EventType.BOUNCED;
  }

  /** Only a permanent failure is known to be final; {@code old} means Mailgun gave up on temporary ones. */
  private static BounceType bounceType(EventType type, JsonObject data) {
    if (type != EventType.BOUNCED || !"permanent".equals(JsonFields.text(data, "severity"))) {
      return null;
    }
    return "old".equals(JsonFields.text(data, "reason")) ? BounceType.SOFT : BounceType.HARD;
  }

  static RejectReason rejectReason(EventType type, String reason) {
    if (reason == null) {
      return type == EventType.REJECTED ? RejectReason.OTHER : null;
    }
    return REASONS.getOrDefault(reason, RejectReason.OTHER);
  }

  private static Instant occurredAt(JsonObject data, JsonObject signature, Instant receivedAt) {
    for (String seconds : new String[] {JsonFields.text(data, "timestamp"), JsonFields.text(signature, "timestamp")}) {
      if (seconds != null) {
        try {
          return Timestamps.fromEpochSeconds(seconds);
        } catch (DateTimeParseException e) {
          // fall through to the next source of time
        }
      }
    }
    return receivedAt;
  }

  /** A {@code rejected} event may lack {@code recipient}; the To header then names it. */
  private static String recipient(EventType type, JsonObject data, JsonObject headers) {
    String recipient = JsonFields.text(data, "recipient");
    if (recipient == null && type == EventType.REJECTED) {
      return singleAddress(JsonFields.text(headers, "to"));
    }
    return recipient;
  }

  private static String description(EventType type, JsonObject status, JsonObject data) {
    String description = JsonFields.text(status, "description");
    if (type == EventType.REJECTED && isBlank(description)) {
      String rejectReason = JsonFields.text(JsonFields.object(data, "reject"), "reason");
      return rejectReason != null ? rejectReason : description;
    }
    return description;
  }

  /** The address of a header naming exactly one mailbox ({@code Name <a@b>} or {@code a@b}), else null. */
  static String singleAddress(String header) {
    if (header == null || header.indexOf('@') != header.lastIndexOf('@')) {
      return null;
    }
    int open = header.lastIndexOf('<');
    int close = header.lastIndexOf('>');
    String address = (open >= 0 && close > open ? header.substring(open + 1, close) : header).trim();
    return address.contains("@") && !address.contains(" ") ? address : null;
  }

  /** Mailgun reports Message-Id without angle brackets; the header (and anymail) carry them. */
  static String angleBracketed(String messageId) {
    if (isBlank(messageId)) {
      return null;
    }
    return messageId.startsWith("<") ? messageId : "<" + messageId + ">";
  }

  private static String firstNonBlank(String first, String second) {
    return isBlank(first) ? second : first;
  }

  private static byte[] lowerCaseBytes(String hex) {
    return hex.trim().toLowerCase(Locale.ROOT).getBytes(UTF_8);
  }

  static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}
