package io.emailgateway.provider;

import static io.emailgateway.event.EventType.BOUNCED;
import static io.emailgateway.event.EventType.CLICKED;
import static io.emailgateway.event.EventType.COMPLAINED;
import static io.emailgateway.event.EventType.DEFERRED;
import static io.emailgateway.event.EventType.DELIVERED;
import static io.emailgateway.event.EventType.FAILED;
import static io.emailgateway.event.EventType.OPENED;
import static io.emailgateway.event.EventType.SENT;
import static io.emailgateway.event.EventType.UNKNOWN;

import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Resend, which delivers through Svix: one event per request, signed as Standard Webhooks with
 * {@code svix-} headers (see {@link StandardWebhooksVerifier}; config {@code signing_secrets},
 * {@code timestamp_tolerance}). The event key is the {@code svix-id} header, constant across
 * retries; {@code occurred_at} is the top-level {@code created_at} ({@code data.created_at} is when
 * the message was created).
 *
 * <p>Mapping follows django-anymail: the reject reason is read from the bounce message text
 * ("suppressed sending" → blocked, "bounce message" → bounced), and tags/metadata come from the
 * {@code X-Tags}/{@code X-Metadata} headers anymail sets. Where the gateway goes further: when no
 * {@code X-Metadata} header is there, Resend's own key/value {@code data.tags} become the metadata;
 * {@code email.failed} (resend.com docs/webhooks/emails/failed) maps to {@code failed} with
 * {@code data.failed.reason} as description; a bounce whose {@code data.bounce.type} is
 * {@code Transient} is soft, every other {@code email.bounced} hard (Resend documents the event as
 * a permanent rejection); the docs' old misspelling {@code email.delivered_delayed} is a deferral.
 * A request without {@code type} or a valid {@code created_at} is refused with 400.
 */
public final class ResendProvider extends StandardWebhooksProvider {
  private static final Map<String, EventType> TYPES = Map.of(
      "email.sent", SENT,
      "email.delivered", DELIVERED,
      "email.delivery_delayed", DEFERRED,
      "email.delivered_delayed", DEFERRED,
      "email.complained", COMPLAINED,
      "email.bounced", BOUNCED,
      "email.opened", OPENED,
      "email.clicked", CLICKED,
      "email.failed", FAILED);


  public ResendProvider(SourceConfig source) {
    this(source, Clock.systemUTC());
  }

  ResendProvider(SourceConfig source, Clock clock) {
    super(source, clock);
  }

  @Override
  public String name() {
    return "resend";
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    JsonObject event = JsonFields.object(request.body());
    return List.of(toEvent(event, StandardWebhooksVerifier.messageId(request)));
  }

  private EmailEvent toEvent(JsonObject event, String svixId) {
    EventType type = type(event);
    JsonObject data = orEmpty(JsonFields.object(event, "data"));
    JsonObject bounce = JsonFields.object(data, "bounce");
    JsonObject click = orEmpty(JsonFields.object(data, "click"));
    String bounceMessage = JsonFields.text(bounce, "message");
    JsonObject headers = customHeaders(data);
    return EmailEvent.builder(sourceId, name())
        .eventKey(svixId)
        .type(type)
        .bounceType(type == BOUNCED ? bounceType(bounce) : null)
        .rejectReason(bounce == null ? null : rejectReason(bounceMessage))
        .occurredAt(occurredAt(event))
        .messageId(JsonFields.text(data, "email_id"))
        .recipient(firstRecipient(data))
        .sender(AddressSpec.of(JsonFields.text(data, "from")))
        .subject(JsonFields.text(data, "subject"))
        .tags(tags(headers))
        .metadata(metadata(headers, data))
        .clickUrl(JsonFields.text(click, "link"))
        .userAgent(JsonFields.text(click, "userAgent"))
        .ip(JsonFields.text(click, "ipAddress"))
        .description(bounceMessage != null ? bounceMessage : failureReason(data))
        .espEvent(event)
        .build();
  }

  private static EventType type(JsonObject event) {
    String resendType = JsonFields.text(event, "type");
    if (resendType == null) {
      throw WebhookException.badRequest("type is missing");
    }
    return TYPES.getOrDefault(resendType, UNKNOWN);
  }

  /** {@code email.failed} says why in {@code data.failed.reason} (e.g. reached_daily_quota). */
  private static String failureReason(JsonObject data) {
    return JsonFields.text(JsonFields.object(data, "failed"), "reason");
  }

  private static Instant occurredAt(JsonObject event) {
    String createdAt = JsonFields.text(event, "created_at");
    if (createdAt == null) {
      throw WebhookException.badRequest("created_at is missing");
    }
    try {
      return Timestamps.fromIso(createdAt);
    } catch (DateTimeParseException e) {
      throw WebhookException.badRequest("created_at is not an ISO-8601 time");
    }
  }

  private static BounceType bounceType(JsonObject bounce) {
    return "Transient".equalsIgnoreCase(JsonFields.text(bounce, "type")) ? BounceType.SOFT : BounceType.HARD;
  }

  /** Resend gives no SMTP codes; its human text is all there is to classify. */
  static RejectReason rejectReason(String bounceMessage) {
    if (bounceMessage == null) {
      return RejectReason.OTHER;
    }
    if (bounceMessage.contains("suppressed sending")) {
      return RejectReason.BLOCKED;
    }
    return bounceMessage.contains("bounce message") ? RejectReason.BOUNCED : RejectReason.OTHER;
  }

  /**
   * Resend sends an event per recipient without saying which one: the first {@code to} address
   * is the best available answer (anymail does the same).
   */
  private static String firstRecipient(JsonObject data) {
    List<String> to = JsonFields.stringOrList(data, "to");
    return to.isEmpty() ? null : AddressSpec.of(to.get(0));
  }

  /** {@code data.headers} as name (lower case) → value, for the headers anymail's senders set. */
  private static JsonObject customHeaders(JsonObject data) {
    JsonObject byName = new JsonObject();
    if (data.getValue("headers") instanceof JsonArray headers) {
      for (Object item : headers) {
        if (item instanceof JsonObject header && JsonFields.text(header, "name") != null) {
          byName.put(JsonFields.text(header, "name").toLowerCase(Locale.ROOT), JsonFields.text(header, "value"));
        }
      }
    }
    return byName;
  }

  private static List<String> tags(JsonObject headers) {
    List<String> tags = new ArrayList<>();
    if (parseJson(headers.getString("x-tags")) instanceof JsonArray array) {
      array.forEach(tag -> { if (tag != null) tags.add(tag.toString()); });
    }
    return tags;
  }

  private static JsonObject metadata(JsonObject headers, JsonObject data) {
    if (parseJson(headers.getString("x-metadata")) instanceof JsonObject metadata) {
      return metadata;
    }
    return nativeTags(data.getValue("tags"));
  }

  /** Resend tags are key/value pairs: an object, or (older API) an array of {@code {name, value}}. */
  private static JsonObject nativeTags(Object tags) {
    JsonObject metadata = new JsonObject();
    if (tags instanceof JsonObject object) {
      object.forEach(entry -> metadata.put(entry.getKey(), entry.getValue() == null ? null : entry.getValue().toString()));
    } else if (tags instanceof JsonArray array) {
      for (Object item : array) {
        if (item instanceof JsonObject tag && JsonFields.text(tag, "name") != null) {
          metadata.put(JsonFields.text(tag, "name"), JsonFields.text(tag, "value"));
        }
      }
    }
    return metadata;
  }

  private static Object parseJson(String text) {
    return JsonFields.parseOrNull(text);
  }

  private static JsonObject orEmpty(JsonObject object) {
    return object == null ? new JsonObject() : object;
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    // The key was the svix-id header, which is not stored: the stored key stands in for it.
    return parse(StoredEventRequests.jsonWithWebhookId(sourceId, espEvent, eventKey, fallbackTime));
  }
}
