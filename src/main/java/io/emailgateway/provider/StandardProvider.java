package io.emailgateway.provider;

import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Any Standard Webhooks sender whose body is already a normalized event (DESIGN.md "Normalized
 * event") or an array of them — typically another instance of this gateway forwarding to this one.
 * Signed as in {@link StandardWebhooksVerifier} (config {@code signing_secrets},
 * {@code timestamp_tolerance}; {@code webhook-} or {@code svix-} headers).
 *
 * <p>Each object maps field by field back into an event of this source: {@code source} and
 * {@code provider} become ours, {@code esp_event} is the whole received object (the sender's
 * own {@code esp_event}, id and source stay inside it). The key is the sender's {@code event_key}
 * when present, else the {@code webhook-id} (suffixed {@code :<index>} inside an array), so a
 * retry of the same delivery deduplicates. A {@code type} or {@code reject_reason} this version
 * does not know (a newer sender) is stored as {@code unknown} / {@code other} rather than lost;
 * {@code bounce_type} is kept on bounced events only. The sender is a program emitting our own
 * schema, so a structurally broken object (not an object, no {@code type}, no valid
 * {@code occurred_at}) refuses the whole request with 400 naming it, and the sender retries.
 */
public final class StandardProvider extends StandardWebhooksProvider {

  public StandardProvider(SourceConfig source) {
    this(source, Clock.systemUTC());
  }

  StandardProvider(SourceConfig source, Clock clock) {
    super(source, clock);
  }

  @Override
  public String name() {
    return "standard";
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    Object body = JsonFields.parse(request.body());
    String webhookId = StandardWebhooksVerifier.messageId(request);
    if (body instanceof JsonObject single) {
      return List.of(toEvent(single, "event", webhookId));
    }
    if (!(body instanceof JsonArray array)) {
      throw WebhookException.badRequest("expected a normalized event object or an array of them");
    }
    List<JsonObject> items = JsonFields.objects(array, "events");
    List<EmailEvent> events = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      events.add(toEvent(items.get(i), "events[" + i + "]", webhookId == null ? null : webhookId + ":" + i));
    }
    return events;
  }

  private EmailEvent toEvent(JsonObject event, String where, String fallbackKey) {
    EventType type = type(event, where);
    String key = JsonFields.text(event, "event_key");
    return EmailEvent.builder(sourceId, name())
        .eventKey(key != null && !key.isBlank() ? key : fallbackKey)
        .type(type)
        .bounceType(type == EventType.BOUNCED ? bounceType(JsonFields.text(event, "bounce_type")) : null)
        .rejectReason(rejectReason(JsonFields.text(event, "reject_reason")))
        .occurredAt(occurredAt(event, where))
        .messageId(JsonFields.text(event, "message_id"))
        .recipient(JsonFields.text(event, "recipient"))
        .sender(JsonFields.text(event, "sender"))
        .subject(JsonFields.text(event, "subject"))
        .tags(JsonFields.stringOrList(event, "tags"))
        .metadata(orEmpty(JsonFields.object(event, "metadata")))
        .clickUrl(JsonFields.text(event, "click_url"))
        .userAgent(JsonFields.text(event, "user_agent"))
        .ip(JsonFields.text(event, "ip"))
        .mtaResponse(JsonFields.text(event, "mta_response"))
        .description(JsonFields.text(event, "description"))
        .espEvent(event)
        .build();
  }

  private static EventType type(JsonObject event, String where) {
    String type = JsonFields.text(event, "type");
    if (type == null || type.isBlank()) {
      throw WebhookException.badRequest(where + ".type is missing");
    }
    for (EventType known : EventType.values()) {
      if (known.wireName().equals(type.toLowerCase(Locale.ROOT))) {
        return known;
      }
    }
    return EventType.UNKNOWN;
  }

  private static Instant occurredAt(JsonObject event, String where) {
    String occurredAt = JsonFields.text(event, "occurred_at");
    if (occurredAt == null) {
      throw WebhookException.badRequest(where + ".occurred_at is missing");
    }
    try {
      return Timestamps.fromIso(occurredAt);
    } catch (DateTimeParseException e) {
      throw WebhookException.badRequest(where + ".occurred_at is not an ISO-8601 time");
    }
  }

  private static BounceType bounceType(String value) {
    for (BounceType known : BounceType.values()) {
      if (known.wireName().equals(value)) {
        return known;
      }
    }
    return null;
  }

  private static RejectReason rejectReason(String value) {
    if (value == null) {
      return null;
    }
    for (RejectReason known : RejectReason.values()) {
      if (known.wireName().equals(value.toLowerCase(Locale.ROOT))) {
        return known;
      }
    }
    return RejectReason.OTHER;
  }

  private static JsonObject orEmpty(JsonObject object) {
    return object == null ? new JsonObject() : object;
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    // A key that came from the webhook-id header (not stored) is carried over as that header.
    return parse(StoredEventRequests.jsonWithWebhookId(sourceId, espEvent, eventKey, fallbackTime));
  }
}
