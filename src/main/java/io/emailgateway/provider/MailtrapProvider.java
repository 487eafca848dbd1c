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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Mailtrap email-sending webhooks, in either payload format a webhook is set to: JSON
 * ({@code application/json}, {@code {"events":[…]}}) or JSON Lines ({@code application/jsonl},
 * one event object per line); up to 500 events gathered over 30 seconds.
 *
 * <p>Authentication: Mailtrap signs every delivery with {@code Mailtrap-Signature} = lower-case
 * hex HMAC-SHA256 of the raw body under the webhook's signing secret ({@code signing_secrets},
 * see {@link MailtrapSignature}), and also supports basic auth in the URL ({@code basic_auth}).
 * Each configured mechanism must pass (as django-anymail enforces both); at least one must be
 * configured. The signature covers no timestamp, so there is no freshness window: a replayed
 * body is caught by the {@code event_id} deduplication instead.
 *
 * <p>{@code event_key} is Mailtrap's {@code event_id} ("use for idempotency").
 *
 * <p>Malformed events: Mailtrap retries a non-200 answer 40 times, 5 minutes apart, then pauses
 * the webhook, so one odd event must not hold up its batch: every event object is stored (an
 * unmapped {@code event} — activity-log or inbound notices sent to this source — as
 * {@code unknown}, an unreadable time as the arrival time). A body without an {@code events}
 * array, an element or a line that is not a JSON object, is refused with 400.
 *
 * <p>Differences from django-anymail, on purpose: JSON Lines is accepted; {@code reason} (given
 * on {@code reject} and {@code suspension}) becomes {@code description}; {@code ip} and
 * {@code bounce_type} are added ({@code bounce} is Mailtrap's permanent failure: hard).
 */
public final class MailtrapProvider implements SynchronousProvider {
  private static final String JSON_LINES = "application/jsonl";

  private record Mapping(EventType type, RejectReason reason) {}

  private static final Mapping UNKNOWN = new Mapping(EventType.UNKNOWN, null);
  private static final Map<String, Mapping> EVENTS = Map.of(
      "delivery", new Mapping(EventType.DELIVERED, null),
      "open", new Mapping(EventType.OPENED, null),
      "click", new Mapping(EventType.CLICKED, null),
      "bounce", new Mapping(EventType.BOUNCED, RejectReason.BOUNCED),
      "soft bounce", new Mapping(EventType.DEFERRED, RejectReason.OTHER),
      "spam", new Mapping(EventType.COMPLAINED, RejectReason.SPAM),
      "unsubscribe", new Mapping(EventType.UNSUBSCRIBED, RejectReason.UNSUBSCRIBED),
      "reject", new Mapping(EventType.REJECTED, RejectReason.BLOCKED),
      "suspension", new Mapping(EventType.DEFERRED, RejectReason.OTHER));

  private final String sourceId;
  private final AuthorizationCredentials basicAuth;
  private final MailtrapSignature signature;

  public MailtrapProvider(SourceConfig source) {
    this.sourceId = source.id();
    this.basicAuth = AuthorizationCredentials.basicOnly(source);
    this.signature = MailtrapSignature.fromConfig(source.settings());
    if (!basicAuth.isConfigured() && !signature.isConfigured()) {
      throw new MissingCredentialsException(source.settings().key("signing_secrets") + " and basic_auth");
    }
  }

  @Override
  public String name() {
    return "mailtrap";
  }

  @Override
  public boolean acceptsContentType(String mediaType) {
    return "application/json".equals(mediaType) || JSON_LINES.equals(mediaType);
  }

  @Override
  public void verify(WebhookRequest request) {
    if (signature.isConfigured()) {
      signature.verify(request);
    }
    if (basicAuth.isConfigured()) {
      basicAuth.verify(request);
    }
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    List<JsonObject> events = JSON_LINES.equals(request.contentType()) ? jsonLines(request) : jsonEvents(request);
    return events.stream().map(event -> toEvent(event, request.receivedAt())).toList();
  }

  private static List<JsonObject> jsonEvents(WebhookRequest request) {
    JsonObject body = JsonFields.object(request.body());
    if (!(body.getValue("events") instanceof JsonArray events)) {
      throw WebhookException.badRequest("expected {\"events\": [...]}");
    }
    return JsonFields.objects(events, "events");
  }

  private static List<JsonObject> jsonLines(WebhookRequest request) {
    String[] lines = request.body().toString(StandardCharsets.UTF_8).split("\r?\n");
    List<JsonObject> events = new ArrayList<>(lines.length);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      Object value = JsonFields.parse(lines[i], "line " + (i + 1));
      if (!(value instanceof JsonObject event)) {
        throw WebhookException.badRequest("line " + (i + 1) + " is not a JSON object");
      }
      events.add(event);
    }
    return events;
  }

  private EmailEvent toEvent(JsonObject event, Instant receivedAt) {
    String espType = JsonFields.text(event, "event");
    Mapping mapping = espType == null ? UNKNOWN : EVENTS.getOrDefault(espType, UNKNOWN);
    Instant time = LenientReads.epochSeconds(event.getValue("timestamp"));
    String category = LenientReads.nonBlank(event, "category");
    JsonObject customVariables = JsonFields.object(event, "custom_variables");
    return EmailEvent.builder(sourceId, name())
        .eventKey(LenientReads.nonBlank(event, "event_id"))
        .type(mapping.type())
        .rejectReason(mapping.reason())
        .bounceType(mapping.type() == EventType.BOUNCED ? BounceType.HARD : null)
        .occurredAt(time != null ? time : receivedAt)
        .messageId(JsonFields.text(event, "message_id"))
        .recipient(JsonFields.text(event, "email"))
        .tags(category == null ? List.of() : List.of(category))
        .metadata(customVariables == null ? new JsonObject() : customVariables.copy())
        .clickUrl(JsonFields.text(event, "url"))
        .userAgent(JsonFields.text(event, "user_agent"))
        .ip(JsonFields.text(event, "ip"))
        .mtaResponse(JsonFields.text(event, "response"))
        .description(JsonFields.text(event, "reason"))
        .espEvent(event)
        .build();
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    return parse(StoredEventRequests.json(sourceId, new JsonObject().put("events", StoredEventRequests.arrayOf(espEvent)), fallbackTime));
  }
}
