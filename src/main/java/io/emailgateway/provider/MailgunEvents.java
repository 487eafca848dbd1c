package io.emailgateway.provider;

import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/**
 * Mailgun's current webhooks: one event per request, {@code {"signature":{…},"event-data":{…}}}.
 * The event key is the signature token (why: {@link MailgunProvider}); {@code esp_event} is the
 * whole payload, signature block included, so the stored event shows what vouched for it.
 *
 * <p>Mapping is anymail's, except: {@code failed} for a suppressed address ({@code suppress-*}
 * reasons) is {@code rejected}, as legacy {@code dropped} is and as Symfony maps Mailgun's 605/606/607
 * codes: Mailgun never tried to send. Reasons {@code suppress-complaint}, {@code suppress-unsubscribe},
 * {@code old}, {@code espblock} map to spam, unsubscribed, timed_out, blocked (anymail: other). A
 * permanent failure is a hard bounce unless Mailgun gave up after 8 hours of temporary ones
 * ({@code old}, "Too old"): soft. A temporary failure is {@code deferred}. Without {@code
 * event-data.timestamp} the event time is the signature's timestamp.
 */
final class MailgunEvents {
  private static final Set<String> SUPPRESSIONS =
      Set.of("suppress-bounce", "suppress-complaint", "suppress-unsubscribe");
  private static final Map<String, EventType> TYPES = Map.of(
      "accepted", EventType.QUEUED, "rejected", EventType.REJECTED, "delivered", EventType.DELIVERED,
      "failed", EventType.BOUNCED, "opened", EventType.OPENED, "clicked", EventType.CLICKED,
      "unsubscribed", EventType.UNSUBSCRIBED, "complained", EventType.COMPLAINED);
  private static final Map<String, RejectReason> REASONS = Map.of(
      "bounce", RejectReason.BOUNCED, "suppress-bounce", RejectReason.BOUNCED,
      "suppress-complaint", RejectReason.SPAM, "suppress-unsubscribe", RejectReason.UNSUBSCRIBED,
      "old", RejectReason.TIMED_OUT, "espblock", RejectReason.BLOCKED);

  private MailgunEvents() {}

  static EmailEvent toEvent(EmailEvent.Builder builder, JsonObject payload, String payloadText, Instant receivedAt) {
    JsonObject data = JsonFields.object(payload, "event-data");
    if (data == null) {
      throw WebhookException.badRequest("event-data is missing or not a JSON object");
    }
    JsonObject signature = JsonFields.object(payload, "signature");
    JsonObject headers = JsonFields.object(JsonFields.object(data, "message"), "headers");
    JsonObject status = JsonFields.object(data, "delivery-status");
    EventType type = type(data);
    return builder
        .eventKey(JsonFields.text(signature, "token"))
        .type(type)
        .bounceType(bounceType(type, data))
        .rejectReason(rejectReason(type, JsonFields.text(data, "reason")))
        .occurredAt(occurredAt(data, signature, receivedAt))
        .messageId(angleBracketed(JsonFields.text(headers, "message-id")))
        .recipient(recipient(type, data, headers))
        .sender(firstNonBlank(JsonFields.text(JsonFields.object(data, "envelope"), "sender"),
            JsonFields.text(headers, "from")))
        .subject(JsonFields.text(headers, "subject"))
        .tags(JsonFields.stringOrList(data, "tags"))
        .metadata(JsonFields.object(data, "user-variables"))
        .clickUrl(JsonFields.text(data, "url"))
        .userAgent(JsonFields.text(JsonFields.object(data, "client-info"), "user-agent"))
        .ip(JsonFields.text(data, "ip"))
        .mtaResponse(JsonFields.text(status, "message"))
        .description(description(type, status, data))
        .espEvent(payload, payloadText)
        .build();
  }

  private static EventType type(JsonObject data) {
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

  private static RejectReason rejectReason(EventType type, String reason) {
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
          // try the next source of time
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
    if (type == EventType.REJECTED && (description == null || description.isBlank())) {
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
    if (messageId == null || messageId.isBlank()) {
      return null;
    }
    return messageId.startsWith("<") ? messageId : "<" + messageId + ">";
  }

  private static String firstNonBlank(String first, String second) {
    return first == null || first.isBlank() ? second : first;
  }
}
