package io.emailgateway.provider;

import static io.emailgateway.event.EventType.BOUNCED;
import static io.emailgateway.event.EventType.CLICKED;
import static io.emailgateway.event.EventType.COMPLAINED;
import static io.emailgateway.event.EventType.DELIVERED;
import static io.emailgateway.event.EventType.OPENED;
import static io.emailgateway.event.EventType.SENT;
import static io.emailgateway.event.EventType.UNKNOWN;
import static io.emailgateway.event.EventType.UNSUBSCRIBED;

import io.emailgateway.auth.ConstantTime;
import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * MailerSend activity webhooks: one activity per request, wrapped as
 * {@code {"type":"activity.<x>", …, "data":{"id", "type", "created_at", "email":{…}, "morph":{…}}}}.
 * The {@code Signature} header is the hex HMAC-SHA256 of the raw body keyed with the webhook's
 * signing secret (config {@code signing_secrets}, any entry may verify). MailerSend signs no
 * timestamp, so there is no freshness window; {@code data.id} is the event key, and a replay
 * deduplicates on it.
 *
 * <p>Mapping follows django-anymail ({@code data.type}; reject reason and description from
 * {@code morph}; {@code email.status} is ignored: it is "most often just rejected"); the gateway
 * adds {@code bounce_type} from hard/soft_bounced. Documented types anymail does not map
 * ({@code opened_unique}, {@code clicked_unique}, surveys, maintenance notices) are stored as
 * {@code unknown}: mapping the unique variants to opened/clicked would count a first open twice
 * for a webhook subscribed to both. The {@code webhook.test} ping yields no event; an
 * {@code inbound.message} posted here is a misconfigured route and is refused with 400. Where
 * {@code data.email} is absent (the flatter shape anymail's newer code reads:
 * {@code data.recipient}, {@code data.message_id}, {@code data.tags}), those fields are used.
 */
public final class MailerSendProvider implements SynchronousProvider {
  private static final Map<String, EventType> TYPES = Map.of(
      "sent", SENT,
      "delivered", DELIVERED,
      "soft_bounced", BOUNCED,
      "hard_bounced", BOUNCED,
      "opened", OPENED,
      "clicked", CLICKED,
      "unsubscribed", UNSUBSCRIBED,
      "spam_complaint", COMPLAINED);
  private static final Map<String, RejectReason> MORPH_REASONS = Map.of(
      "recipient_bounce", RejectReason.BOUNCED,
      "spam_complaint", RejectReason.SPAM,
      "recipient_unsubscribe", RejectReason.UNSUBSCRIBED);
  private static final int SHA256_BYTES = 32;

  private final String sourceId;
  private final List<byte[]> secrets;

  public MailerSendProvider(SourceConfig source) {
    this.sourceId = source.id();
    this.secrets = source.settings().strings("signing_secrets").stream()
        .map(secret -> secret.getBytes(StandardCharsets.UTF_8)).toList();
    if (secrets.isEmpty()) {
      throw new MissingCredentialsException(source.settings().key("signing_secrets"));
    }
  }

  @Override
  public String name() {
    return "mailersend";
  }

  @Override
  public boolean acceptsContentType(String mediaType) {
    return "application/json".equals(mediaType);
  }

  @Override
  public void verify(WebhookRequest request) {
    String header = request.header("Signature");
    if (header == null || header.isBlank()) {
      throw WebhookException.unauthorized("Signature header missing");
    }
    byte[] presented;
    try {
      presented = HexFormat.of().parseHex(header.trim());
    } catch (IllegalArgumentException e) {
      throw WebhookException.unauthorized("Signature header is not hex");
    }
    if (presented.length != SHA256_BYTES) {
      throw WebhookException.unauthorized("Signature header is not a SHA-256 HMAC");
    }
    byte[] body = request.bodyBytes();
    List<byte[]> expected = secrets.stream().map(secret -> Hmacs.hmac("HmacSHA256", secret, body)).toList();
    if (!ConstantTime.equalsAny(expected, presented)) {
      throw WebhookException.unauthorized("Signature does not match any signing secret");
    }
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    JsonObject body = JsonFields.object(request.body());
    String type = JsonFields.text(body, "type");
    if ("webhook.test".equals(type)) {
      return List.of();
    }
    if ("inbound.message".equals(type)) {
      throw WebhookException.badRequest("an inbound.message was posted to an activity webhook source");
    }
    return List.of(toEvent(body));
  }

  private EmailEvent toEvent(JsonObject body) {
    JsonObject data = orEmpty(JsonFields.object(body, "data"));
    JsonObject email = JsonFields.object(data, "email");
    JsonObject morph = orEmpty(JsonFields.object(data, "morph"));
    String activity = JsonFields.text(data, "type");
    String readableReason = JsonFields.text(morph, "readable_reason");
    String morphObject = JsonFields.text(morph, "object");
    return EmailEvent.builder(sourceId, name())
        .eventKey(JsonFields.text(data, "id"))
        .type(activity == null ? UNKNOWN : TYPES.getOrDefault(activity, UNKNOWN))
        .bounceType(bounceType(activity))
        .rejectReason(morphObject == null ? null : MORPH_REASONS.get(morphObject))
        .occurredAt(occurredAt(body, data))
        .messageId(email != null ? nested(email, "message", "id") : JsonFields.text(data, "message_id"))
        .recipient(email != null ? nested(email, "recipient", "email") : JsonFields.text(data, "recipient"))
        .sender(JsonFields.text(email, "from"))
        .subject(JsonFields.text(email, "subject"))
        .tags(JsonFields.stringOrList(email != null ? email : data, "tags"))
        .clickUrl(JsonFields.text(morph, "url"))
        .ip(JsonFields.text(morph, "ip"))
        .description(readableReason != null ? readableReason : JsonFields.text(morph, "reason"))
        .espEvent(body)
        .build();
  }

  private static String nested(JsonObject object, String child, String field) {
    return JsonFields.text(JsonFields.object(object, child), field);
  }

  private static BounceType bounceType(String activity) {
    if ("hard_bounced".equals(activity)) {
      return BounceType.HARD;
    }
    return "soft_bounced".equals(activity) ? BounceType.SOFT : null;
  }

  /** The activity's own time ({@code data.created_at}), else the wrapper's (when the webhook fired). */
  private static Instant occurredAt(JsonObject body, JsonObject data) {
    String createdAt = JsonFields.text(data, "created_at");
    if (createdAt == null) {
      createdAt = JsonFields.text(body, "created_at");
    }
    if (createdAt == null) {
      throw WebhookException.badRequest("data.created_at is missing");
    }
    try {
      return Timestamps.fromIso(createdAt);
    } catch (DateTimeParseException e) {
      throw WebhookException.badRequest("data.created_at is not an ISO-8601 time");
    }
  }

  private static JsonObject orEmpty(JsonObject object) {
    return object == null ? new JsonObject() : object;
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    return parse(StoredEventRequests.json(sourceId, espEvent, fallbackTime));
  }
}
