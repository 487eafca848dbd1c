package io.emailgateway.provider;

import static io.emailgateway.provider.JsonFields.object;
import static io.emailgateway.provider.JsonFields.text;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One SES record (the JSON string in an SNS Notification's {@code Message}) → one normalized event
 * per affected recipient. Both SES feeds: event publishing ({@code eventType}) and identity
 * notifications ({@code notificationType}). The per-type details are in {@link SesEventDetails}.
 */
final class SesEvents {
  // SES's one-time notice after an event destination topic is validated: not an email event.
  private static final String TOPIC_VALIDATED = "Successfully validated SNS topic";

  // Where each type keeps its own time; Send, Reject and Rendering Failure happen when SES
  // accepts the message, so they use mail.timestamp.
  private static final Map<String, String> DETAIL_OBJECT = Map.of(
      "Bounce", "bounce", "Complaint", "complaint", "Delivery", "delivery", "Open", "open",
      "Click", "click", "DeliveryDelay", "deliveryDelay", "Subscription", "subscription");

  private final String source;

  SesEvents(String source) {
    this.source = source;
  }

  List<EmailEvent> of(SnsMessage sns) {
    JsonObject record = record(sns.message());
    if (record == null) {
      return List.of();
    }
    String type = text(record, "eventType") != null ? text(record, "eventType")
        : text(record, "notificationType") != null ? text(record, "notificationType") : "";
    if ("Received".equals(type)) {
      throw WebhookException.badRequest("SES inbound (Received) notifications are not tracking events");
    }
    JsonObject mail = object(record, "mail");
    Instant occurredAt = occurredAt(type, record, mail, envelopeTime(sns));
    List<EmailEvent> events = new ArrayList<>();
    for (Recipient recipient : recipients(type, record, mail)) {
      EmailEvent.Builder event = EmailEvent.builder(source, "ses")
          .eventKey(eventKey(sns.messageId(), recipient.address()))
          .occurredAt(occurredAt)
          .messageId(text(mail, "messageId"))
          .recipient(recipient.address())
          .sender(text(mail, "source"))
          .subject(text(object(mail, "commonHeaders"), "subject"))
          .tags(headerValues(mail, "X-Tag"))
          .metadata(metadata(mail))
          .espEvent(record, sns.message());
      SesEventDetails.describe(type, record, recipient.detail(), event);
      events.add(event.build());
    }
    return events;
  }

  /** The SES record, null for SES's topic-validation notice; 400 for any other non-JSON message. */
  private static JsonObject record(String message) {
    if (message == null) {
      throw WebhookException.badRequest("SNS Notification has no Message");
    }
    if (JsonFields.parseOrNull(message) instanceof JsonObject record) {
      return record;
    }
    if (message.startsWith(TOPIC_VALIDATED)) {
      return null;
    }
    throw WebhookException.badRequest("SNS Message is not an SES event record");
  }

  private static Instant envelopeTime(SnsMessage sns) {
    try {
      return Timestamps.fromIso(sns.timestamp());
    } catch (DateTimeParseException | NullPointerException e) {
      throw WebhookException.badRequest("SNS Timestamp is not an ISO-8601 time");
    }
  }

  /** The event's own time; the SNS envelope's time only when SES gives none (or none readable). */
  private static Instant occurredAt(String type, JsonObject record, JsonObject mail, Instant envelope) {
    String detail = DETAIL_OBJECT.get(type);
    String own = detail != null ? text(object(record, detail), "timestamp")
        : SesEventDetails.isSendTime(type) ? text(mail, "timestamp") : null;
    try {
      return own == null ? envelope : Timestamps.fromIso(own);
    } catch (DateTimeParseException e) {
      return envelope;
    }
  }

  private record Recipient(String address, JsonObject detail) {}

  /** Who the record is about: the per-recipient lists where SES has one, else every destination. */
  private static List<Recipient> recipients(String type, JsonObject record, JsonObject mail) {
    List<Recipient> listed = switch (type) {
      case "Bounce" -> addressObjects(object(record, "bounce"), "bouncedRecipients");
      case "Complaint" -> addressObjects(object(record, "complaint"), "complainedRecipients");
      case "DeliveryDelay" -> addressObjects(object(record, "deliveryDelay"), "delayedRecipients");
      case "Delivery" -> addresses(object(record, "delivery"), "recipients");
      default -> addresses(mail, "destination");
    };
    Map<String, Recipient> unique = new LinkedHashMap<>();
    listed.forEach(r -> unique.putIfAbsent(r.address().toLowerCase(Locale.ROOT), r));
    return unique.isEmpty() ? List.of(new Recipient(null, null)) : List.copyOf(unique.values());
  }

  private static List<Recipient> addressObjects(JsonObject parent, String key) {
    List<Recipient> result = new ArrayList<>();
    for (Object item : array(parent, key)) {
      if (item instanceof JsonObject entry && text(entry, "emailAddress") != null) {
        result.add(new Recipient(text(entry, "emailAddress"), entry));
      }
    }
    return result;
  }

  private static List<Recipient> addresses(JsonObject parent, String key) {
    List<Recipient> result = new ArrayList<>();
    for (Object item : array(parent, key)) {
      if (item instanceof String address && !address.isBlank()) {
        result.add(new Recipient(address, null));
      }
    }
    return result;
  }

  private static JsonArray array(JsonObject parent, String key) {
    Object value = parent == null ? null : parent.getValue(key);
    return value instanceof JsonArray array ? array : new JsonArray();
  }

  /** SNS MessageId (stable across SNS retries) plus the recipient, since one record fans out. */
  private static String eventKey(String messageId, String recipient) {
    if (messageId == null) {
      return null;
    }
    return recipient == null ? messageId : messageId + ":" + recipient.toLowerCase(Locale.ROOT);
  }

  /** Values of one original header (needs "include original headers"; how anymail passes tags). */
  private static List<String> headerValues(JsonObject mail, String name) {
    List<String> values = new ArrayList<>();
    for (Object item : array(mail, "headers")) {
      if (item instanceof JsonObject header && name.equalsIgnoreCase(text(header, "name")) && text(header, "value") != null) {
        values.add(text(header, "value"));
      }
    }
    return values;
  }

  /** The JSON object of an {@code X-Metadata} header (anymail's convention), else empty. */
  private static JsonObject metadata(JsonObject mail) {
    List<String> values = headerValues(mail, "X-Metadata");
    try {
      return values.isEmpty() ? new JsonObject() : new JsonObject(values.get(0));
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject();
    }
  }
}
