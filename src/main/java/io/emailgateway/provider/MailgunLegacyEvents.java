package io.emailgateway.provider;

import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Mailgun's legacy webhooks (the only kind before 2018-06-29, still configurable): one event as
 * form fields, with the event's user variables merged in among Mailgun's own fields. Where a
 * variable collides with a Mailgun field, Mailgun's value is the first occurrence, except for
 * {@code timestamp}, {@code token} and {@code signature} where it is the last (anymail's findings,
 * REFERENCE §4.2). The mapping is anymail's; in addition code 606 (not delivering to an
 * unsubscribed address) is reject reason unsubscribed, and a {@code bounced} event is a soft
 * bounce when its code is of class 4, else hard. {@code esp_event} is the form as JSON: a field
 * sent once as a string, a repeated one as the array of its values.
 */
final class MailgunLegacyEvents {
  private static final Map<String, EventType> TYPES = Map.of(
      "delivered", EventType.DELIVERED, "dropped", EventType.REJECTED, "bounced", EventType.BOUNCED,
      "complained", EventType.COMPLAINED, "unsubscribed", EventType.UNSUBSCRIBED,
      "opened", EventType.OPENED, "clicked", EventType.CLICKED);

  /** Mailgun's own fields of the events that carry no {@code message-headers} (anymail's list). */
  private static final Set<String> ENGAGEMENT_FIELDS = Set.of(
      "event", "recipient", "domain", "ip", "country", "region", "city", "user-agent", "device-type",
      "client-type", "client-name", "client-os", "campaign-id", "campaign-name", "tag", "mailing-list",
      "timestamp", "token", "signature", "body-plain", "h", "message-id");
  private static final Map<String, Set<String>> KNOWN_FIELDS = Map.of(
      "clicked", Stream.concat(ENGAGEMENT_FIELDS.stream(), Stream.of("url")).collect(Collectors.toUnmodifiableSet()),
      "opened", ENGAGEMENT_FIELDS,
      "unsubscribed", ENGAGEMENT_FIELDS);
  private static final Set<String> SIGNATURE_FIELDS = Set.of("timestamp", "token", "signature");

  private MailgunLegacyEvents() {}

  static EmailEvent toEvent(EmailEvent.Builder builder, FormFields form, Instant receivedAt) {
    String event = form.first("event");
    if (event == null && form.has("sender")) {
      throw WebhookException.badRequest("this is an inbound message (a Mailgun route), not a tracking event");
    }
    EventType type = event == null ? EventType.UNKNOWN : TYPES.getOrDefault(event, EventType.UNKNOWN);
    String code = form.first("code");
    List<String> tags = form.all("tag");
    return builder
        .eventKey(form.last("token"))
        .type(type)
        .bounceType(type == EventType.BOUNCED ? bounceType(code) : null)
        .rejectReason(rejectReason(code))
        .occurredAt(occurredAt(form.last("timestamp"), receivedAt))
        .messageId(MailgunEvents.angleBracketed(firstNonNull(form.first("Message-Id"), form.first("message-id"))))
        .recipient(form.first("recipient"))
        .tags(tags.isEmpty() ? form.all("X-Mailgun-Tag") : tags)
        .metadata(metadata(event, form))
        .clickUrl(form.first("url"))
        .userAgent(form.first("user-agent"))
        .ip(form.first("ip"))
        .mtaResponse(firstNonNull(form.first("error"), form.first("notification")))
        .description(form.first("description"))
        .espEvent(form.toJson())
        .build();
  }

  /** SMTP codes, Mailgun's own 6xx codes, or RFC 3463 {@code class.subject.detail} codes. */
  static RejectReason rejectReason(String code) {
    if (code == null) {
      return null;
    }
    try {
      int status = Integer.parseInt(code.trim());
      return switch (status) {
        case 499 -> RejectReason.TIMED_OUT;
        case 605 -> RejectReason.BOUNCED;
        case 606 -> RejectReason.UNSUBSCRIBED;
        case 607 -> RejectReason.SPAM;
        default -> status >= 400 && status < 600 ? RejectReason.BOUNCED : RejectReason.OTHER;
      };
    } catch (NumberFormatException e) {
      String statusClass = code.trim().split("\\.", 2)[0];
      return statusClass.equals("4") || statusClass.equals("5") ? RejectReason.BOUNCED : RejectReason.OTHER;
    }
  }

  private static BounceType bounceType(String code) {
    return code != null && code.trim().startsWith("4") ? BounceType.SOFT : BounceType.HARD;
  }

  private static Instant occurredAt(String timestamp, Instant receivedAt) {
    try {
      return timestamp == null ? receivedAt : Timestamps.fromEpochSeconds(timestamp.trim());
    } catch (DateTimeParseException e) {
      return receivedAt;
    }
  }

  /**
   * The user variables. Where the original headers came along, their {@code X-Mailgun-Variables}
   * (JSON) are exact; otherwise, for the events whose own fields are known, every other field is
   * a variable, and a known field sent twice holds a variable in its non-Mailgun occurrence.
   */
  static JsonObject metadata(String event, FormFields form) {
    if (form.has("message-headers")) {
      return variablesFromHeaders(form.first("message-headers"));
    }
    Set<String> known = event == null ? null : KNOWN_FIELDS.get(event);
    JsonObject metadata = new JsonObject();
    if (known == null) {
      return metadata;
    }
    form.grouped().forEach((field, values) -> {
      if (!known.contains(field)) {
        metadata.put(field, values.get(values.size() - 1));
      } else if (values.size() > 1 && !field.equals("tag")) {
        metadata.put(field, SIGNATURE_FIELDS.contains(field) ? values.get(0) : values.get(values.size() - 1));
      }
    });
    return metadata;
  }

  /** {@code message-headers} is a JSON array of {@code [name, value]} pairs; unreadable parts are skipped. */
  private static JsonObject variablesFromHeaders(String messageHeaders) {
    JsonObject metadata = new JsonObject();
    if (decodeOrNull(messageHeaders) instanceof JsonArray headers) {
      for (Object header : headers) {
        if (header instanceof JsonArray pair && pair.size() == 2 && "X-Mailgun-Variables".equals(pair.getValue(0))
            && pair.getValue(1) instanceof String value && decodeOrNull(value) instanceof JsonObject variables) {
          metadata.mergeIn(variables);
        }
      }
    }
    return metadata;
  }

  private static Object decodeOrNull(String json) {
    return JsonFields.parseOrNull(json);
  }

  private static String firstNonNull(String first, String second) {
    return first != null ? first : second;
  }
}
