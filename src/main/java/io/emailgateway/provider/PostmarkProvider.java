package io.emailgateway.provider;

import io.emailgateway.auth.BasicAuthVerifier;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Postmark webhooks (REFERENCE.md §5): one JSON object per request, its {@code RecordType} one of
 * the webhook kinds configured at Postmark. Postmark signs nothing; it authenticates with the
 * basic-auth credentials embedded in the webhook URL, checked against {@code basic_auth}.
 *
 * <p>Mapping follows django-anymail: the record type gives a provisional type, and for bounces,
 * spam complaints and suppressing subscription changes the bounce {@code Type} (or
 * {@code SuppressionReason}) decides. Gateway choices anymail does not make:
 * <ul>
 *   <li>{@code bounce_type}: HardBounce is hard; SoftBounce and VirusNotification (the message was
 *       refused, the address is fine) are soft; a bounce with a Type Postmark adds later has none.
 *   <li>{@code InboundError} is {@code unknown} (anymail: {@code inbound_failed}, which is not in the
 *       gateway's vocabulary and is not about mail we sent).
 *   <li>an inbound message (RecordType {@code Inbound}, or no RecordType and a {@code FromFull}) is
 *       refused with 400: the inbound webhook points at a tracking source by mistake.
 *   <li>a missing {@code SuppressSending} counts as true (anymail fails on it).
 *   <li>{@code ip} is the opener's or clicker's {@code Geo.IP}.
 * </ul>
 * A record without a usable time (Postmark's bounce-unsubscribe variant carries none) is stored
 * with the time the gateway received it.
 */
public final class PostmarkProvider implements SynchronousProvider {

  private record Outcome(EventType type, RejectReason rejectReason, BounceType bounceType) {
    static Outcome of(EventType type) {
      return new Outcome(type, null, null);
    }
  }

  private static final Map<String, EventType> RECORD_TYPES = Map.of(
      "Bounce", EventType.BOUNCED,
      "Click", EventType.CLICKED,
      "Delivery", EventType.DELIVERED,
      "Open", EventType.OPENED,
      "SpamComplaint", EventType.COMPLAINED,
      "SubscriptionChange", EventType.UNSUBSCRIBED);

  /** Bounce {@code Type} (and SubscriptionChange {@code SuppressionReason}) → outcome (REFERENCE.md §5.3). */
  private static final Map<String, Outcome> BOUNCE_TYPES = Map.ofEntries(
      Map.entry("HardBounce", new Outcome(EventType.BOUNCED, RejectReason.BOUNCED, BounceType.HARD)),
      Map.entry("Transient", Outcome.of(EventType.DEFERRED)),
      Map.entry("Unsubscribe", new Outcome(EventType.UNSUBSCRIBED, RejectReason.UNSUBSCRIBED, null)),
      Map.entry("Subscribe", Outcome.of(EventType.SUBSCRIBED)),
      Map.entry("AutoResponder", Outcome.of(EventType.AUTORESPONDED)),
      Map.entry("AddressChange", Outcome.of(EventType.AUTORESPONDED)),
      Map.entry("DnsError", Outcome.of(EventType.DEFERRED)),
      Map.entry("SpamNotification", new Outcome(EventType.COMPLAINED, RejectReason.SPAM, null)),
      Map.entry("OpenRelayTest", Outcome.of(EventType.DEFERRED)),
      Map.entry("Unknown", Outcome.of(EventType.UNKNOWN)),
      Map.entry("SoftBounce", new Outcome(EventType.BOUNCED, RejectReason.BOUNCED, BounceType.SOFT)),
      Map.entry("VirusNotification", new Outcome(EventType.BOUNCED, RejectReason.OTHER, BounceType.SOFT)),
      Map.entry("ChallengeVerification", Outcome.of(EventType.AUTORESPONDED)),
      Map.entry("BadEmailAddress", new Outcome(EventType.REJECTED, RejectReason.INVALID, null)),
      Map.entry("SpamComplaint", new Outcome(EventType.COMPLAINED, RejectReason.SPAM, null)),
      Map.entry("ManuallyDeactivated", new Outcome(EventType.REJECTED, RejectReason.BLOCKED, null)),
      Map.entry("Unconfirmed", Outcome.of(EventType.REJECTED)),
      Map.entry("Blocked", new Outcome(EventType.REJECTED, RejectReason.BLOCKED, null)),
      Map.entry("SMTPApiError", Outcome.of(EventType.FAILED)),
      Map.entry("InboundError", Outcome.of(EventType.UNKNOWN)),
      Map.entry("DMARCPolicy", new Outcome(EventType.REJECTED, RejectReason.BLOCKED, null)),
      Map.entry("TemplateRenderingFailed", Outcome.of(EventType.FAILED)),
      Map.entry("ManualSuppression", new Outcome(EventType.UNSUBSCRIBED, RejectReason.UNSUBSCRIBED, null)));

  /** The event's own time by record type; other records try them all in this order. */
  private static final Map<String, String> TIME_FIELDS = Map.of(
      "Delivery", "DeliveredAt", "Bounce", "BouncedAt", "SpamComplaint", "BouncedAt",
      "Open", "ReceivedAt", "Click", "ReceivedAt", "SubscriptionChange", "ChangedAt");
  private static final List<String> ANY_TIME_FIELD = List.of("DeliveredAt", "BouncedAt", "ReceivedAt", "ChangedAt");

  private final String sourceId;
  private final BasicAuthVerifier basicAuth;

  public PostmarkProvider(SourceConfig source) {
    this.sourceId = source.id();
    this.basicAuth = BasicAuthVerifier.fromConfig(source.settings(), "basic_auth");
    if (!basicAuth.isConfigured()) {
      throw new MissingCredentialsException(source.settings().key("basic_auth"));
    }
  }

  @Override
  public String name() {
    return "postmark";
  }

  @Override
  public boolean acceptsContentType(String mediaType) {
    return "application/json".equals(mediaType);
  }

  @Override
  public void verify(WebhookRequest request) {
    if (!basicAuth.verify(request.header("Authorization"))) {
      throw WebhookException.unauthorized("basic auth did not match");
    }
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    JsonObject e = JsonFields.object(request.body());
    String recordType = JsonFields.text(e, "RecordType");
    if ("Inbound".equals(recordType) || (recordType == null && e.containsKey("FromFull"))) {
      throw WebhookException.badRequest("RecordType Inbound: a Postmark inbound message was posted to a tracking "
          + "source; point Postmark's inbound webhook elsewhere");
    }
    Outcome outcome = outcome(recordType, e);
    boolean hasEventId = "Bounce".equals(recordType) || "SpamComplaint".equals(recordType);
    return List.of(EmailEvent.builder(sourceId, name())
        .type(outcome.type())
        .rejectReason(outcome.rejectReason())
        .bounceType(outcome.type() == EventType.BOUNCED ? outcome.bounceType() : null)
        .eventKey(hasEventId ? JsonFields.text(e, "ID") : null)
        .occurredAt(occurredAt(recordType, e, request.receivedAt()))
        .messageId(first(e, "MessageID", "MessageId"))
        .recipient(first(e, "Email", "Recipient"))
        .sender(JsonFields.text(e, "From"))
        .subject(JsonFields.text(e, "Subject"))
        .tags(JsonFields.stringOrList(e, "Tag"))
        .metadata(metadata(e))
        .clickUrl(JsonFields.text(e, "OriginalLink"))
        .userAgent(JsonFields.text(e, "UserAgent"))
        .ip(JsonFields.text(JsonFields.object(e, "Geo"), "IP"))
        .mtaResponse(JsonFields.text(e, "Details"))
        .description(JsonFields.text(e, "Description"))
        .espEvent(e)
        .build());
  }

  private static Outcome outcome(String recordType, JsonObject e) {
    EventType provisional = recordType == null ? EventType.UNKNOWN : RECORD_TYPES.getOrDefault(recordType, EventType.UNKNOWN);
    return switch (provisional) {
      case BOUNCED, COMPLAINED -> lookup(JsonFields.text(e, "Type"), provisional);
      case UNSUBSCRIBED -> suppressSending(e)
          ? lookup(JsonFields.text(e, "SuppressionReason"), provisional)
          : BOUNCE_TYPES.get("Subscribe");
      default -> Outcome.of(provisional);
    };
  }

  private static Outcome lookup(String type, EventType provisional) {
    Outcome known = type == null ? null : BOUNCE_TYPES.get(type);
    return known != null ? known : Outcome.of(provisional);
  }

  private static boolean suppressSending(JsonObject e) {
    Object value = e.getValue("SuppressSending");
    return value instanceof Boolean b ? b : !"false".equalsIgnoreCase(String.valueOf(value));
  }

  /** ISO-8601 with an offset and up to 7 fractional digits; a time without offset is taken as UTC. */
  private static Instant occurredAt(String recordType, JsonObject e, Instant receivedAt) {
    String field = recordType == null ? null : TIME_FIELDS.get(recordType);
    String text = field != null ? JsonFields.text(e, field) : null;
    for (int i = 0; text == null && i < ANY_TIME_FIELD.size(); i++) {
      text = JsonFields.text(e, ANY_TIME_FIELD.get(i));
    }
    if (text == null || text.isBlank()) {
      return receivedAt;
    }
    try {
      return Timestamps.fromIso(text.trim());
    } catch (DateTimeParseException withoutOffset) {
      try {
        return LocalDateTime.parse(text.trim()).toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
      } catch (DateTimeParseException e2) {
        return receivedAt;
      }
    }
  }

  private static JsonObject metadata(JsonObject e) {
    JsonObject metadata = JsonFields.object(e, "Metadata");
    return metadata == null ? new JsonObject() : metadata.copy();
  }

  private static String first(JsonObject e, String key, String alternative) {
    String value = JsonFields.text(e, key);
    return value != null ? value : JsonFields.text(e, alternative);
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    return parse(StoredEventRequests.json(sourceId, espEvent, fallbackTime));
  }
}
