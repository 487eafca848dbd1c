package io.emailgateway.provider;

import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Brevo (ex-Sendinblue) transactional webhooks: one event object per request, or a JSON array
 * of up to 500 when the webhook was created with {@code batched: true}. Brevo signs nothing; it
 * sends basic auth from the URL ({@code basic_auth}) or a bearer token set on the webhook
 * ({@code bearer_tokens}); either verifies. Brevo has no event id ({@code id} is the webhook's),
 * so {@code event_key} is the content hash of each event object.
 *
 * <p>Malformed events: Brevo discards a delivery answered with any 4xx but 429, without retry,
 * so a 400 would lose every event of the batch. An event object is therefore always stored (an
 * unmapped or missing {@code event} as {@code unknown}, an unreadable time as the arrival time);
 * only a body that is not an object or array of objects, or Brevo's inbound-parse shape
 * ({@code {"items":[…]}}) posted to a tracking source, is refused with 400 — nothing in those
 * could be stored as tracking events.
 *
 * <p>Time: {@code ts_epoch} (UTC milliseconds) first; Brevo's own documentation example carries
 * seconds there, so a value below 10^11 is read as seconds ({@code s_epoch}, which that example
 * spells so, is read the same way). Then {@code ts_event} and {@code ts} (seconds; anymail saw
 * them follow the account's time zone, hence last), then {@code date}, documented as CET/CEST.
 *
 * <p>Differences from django-anymail, on purpose: batches are accepted; a {@code tag} holding a
 * JSON array as a string is split into its tags; an {@code X-Mailin-custom} that is not a JSON
 * object (Brevo's own example is {@code "some_custom_header"}) is kept in {@code metadata} under
 * {@code "X-Mailin-custom"} instead of failing; {@code bounce_type} is added (hard for
 * {@code hard_bounce} and {@code invalid_email}, soft for {@code soft_bounce}); the proxy-open
 * events count as opens.
 */
public final class BrevoProvider implements SynchronousProvider {
  private static final long SECONDS_BELOW = 100_000_000_000L;
  private static final ZoneId BREVO_DATE_ZONE = ZoneId.of("Europe/Paris");
  private static final DateTimeFormatter BREVO_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private record Mapping(EventType type, RejectReason reason, BounceType bounce) {}

  private static final Mapping UNKNOWN = new Mapping(EventType.UNKNOWN, null, null);
  private static final Map<String, Mapping> EVENTS = Map.ofEntries(
      Map.entry("request", new Mapping(EventType.QUEUED, null, null)),
      Map.entry("delivered", new Mapping(EventType.DELIVERED, null, null)),
      Map.entry("hard_bounce", new Mapping(EventType.BOUNCED, RejectReason.BOUNCED, BounceType.HARD)),
      Map.entry("soft_bounce", new Mapping(EventType.BOUNCED, RejectReason.BOUNCED, BounceType.SOFT)),
      Map.entry("invalid_email", new Mapping(EventType.BOUNCED, RejectReason.INVALID, BounceType.HARD)),
      Map.entry("blocked", new Mapping(EventType.REJECTED, RejectReason.BLOCKED, null)),
      Map.entry("spam", new Mapping(EventType.COMPLAINED, RejectReason.SPAM, null)),
      Map.entry("complaint", new Mapping(EventType.COMPLAINED, RejectReason.SPAM, null)),
      Map.entry("deferred", new Mapping(EventType.DEFERRED, null, null)),
      Map.entry("opened", new Mapping(EventType.OPENED, null, null)),
      Map.entry("unique_opened", new Mapping(EventType.OPENED, null, null)),
      Map.entry("proxy_open", new Mapping(EventType.OPENED, null, null)),
      Map.entry("unique_proxy_open", new Mapping(EventType.OPENED, null, null)),
      Map.entry("unique_proxy_opened", new Mapping(EventType.OPENED, null, null)),
      Map.entry("click", new Mapping(EventType.CLICKED, null, null)),
      Map.entry("unsubscribe", new Mapping(EventType.UNSUBSCRIBED, null, null)),
      Map.entry("error", new Mapping(EventType.FAILED, null, null)),
      Map.entry("list_addition", new Mapping(EventType.SUBSCRIBED, null, null)));

  private final String sourceId;
  private final AuthorizationCredentials credentials;

  public BrevoProvider(SourceConfig source) {
    this.sourceId = source.id();
    this.credentials = AuthorizationCredentials.basicOrBearer(source);
  }

  @Override
  public String name() {
    return "brevo";
  }

  @Override
  public boolean acceptsContentType(String mediaType) {
    return "application/json".equals(mediaType);
  }

  @Override
  public void verify(WebhookRequest request) {
    credentials.verify(request);
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    Object body = JsonFields.parse(request.body());
    List<JsonObject> events;
    if (body instanceof JsonObject single) {
      if (single.getValue("items") instanceof JsonArray) {
        throw WebhookException.badRequest("this is a Brevo inbound-parse payload; the source expects transactional events");
      }
      events = List.of(single);
    } else if (body instanceof JsonArray batch) {
      events = JsonFields.objects(batch, "event");
    } else {
      throw WebhookException.badRequest("expected a Brevo event object or an array of them");
    }
    return events.stream().map(event -> toEvent(event, request.receivedAt())).toList();
  }

  private EmailEvent toEvent(JsonObject event, Instant receivedAt) {
    String espType = JsonFields.text(event, "event");
    Mapping mapping = espType == null ? UNKNOWN : EVENTS.getOrDefault(espType, UNKNOWN);
    Instant time = occurredAt(event);
    return EmailEvent.builder(sourceId, name())
        .type(mapping.type())
        .rejectReason(mapping.reason())
        .bounceType(mapping.bounce())
        .occurredAt(time != null ? time : receivedAt)
        .messageId(JsonFields.text(event, "message-id"))
        .recipient(JsonFields.text(event, "email"))
        .subject(JsonFields.text(event, "subject"))
        .tags(tags(event))
        .metadata(LenientReads.metadata(event.getValue("X-Mailin-custom"), "X-Mailin-custom"))
        .clickUrl(JsonFields.text(event, "link"))
        .mtaResponse(JsonFields.text(event, "reason"))
        .espEvent(event)
        .build();
  }

  private static Instant occurredAt(JsonObject event) {
    for (String key : List.of("ts_epoch", "s_epoch")) {
      Instant instant = millisOrSeconds(event.getValue(key));
      if (instant != null) {
        return instant;
      }
    }
    for (String key : List.of("ts_event", "ts")) {
      Instant instant = LenientReads.epochSeconds(event.getValue(key));
      if (instant != null) {
        return instant;
      }
    }
    return brevoDate(JsonFields.text(event, "date"));
  }

  private static Instant millisOrSeconds(Object value) {
    Instant asMillis = LenientReads.epochMillis(value);
    if (asMillis == null || asMillis.toEpochMilli() >= SECONDS_BELOW) {
      return asMillis;
    }
    return LenientReads.epochSeconds(value);
  }

  private static Instant brevoDate(String date) {
    if (date == null || date.isBlank()) {
      return null;
    }
    try {
      return LocalDateTime.parse(date.trim(), BREVO_DATE).atZone(BREVO_DATE_ZONE).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * {@code tags} (array, when tags were given at send time) wins; else {@code tag}, which is the
   * {@code X-Mailin-Tag} header, the template name, an array, or an array serialized as a string.
   */
  private static List<String> tags(JsonObject event) {
    if (event.getValue("tags") instanceof JsonArray) {
      return JsonFields.stringOrList(event, "tags");
    }
    Object tag = event.getValue("tag");
    if (tag instanceof String text && text.trim().startsWith("[")) {
      // A tag that merely starts with '[' (not JSON) is kept as it is, below.
      if (JsonFields.parseOrNull(text) instanceof JsonArray array) {
        List<String> tags = new ArrayList<>();
        array.forEach(item -> { if (item != null) tags.add(item.toString()); });
        return tags;
      }
    }
    return JsonFields.stringOrList(event, "tag");
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    return parse(StoredEventRequests.json(sourceId, espEvent, fallbackTime));
  }
}
