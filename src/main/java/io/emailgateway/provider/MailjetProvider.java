package io.emailgateway.provider;

import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Mailjet event API callbacks. Without "group events" Mailjet posts one bare event object per
 * request; with it (callback {@code Version: 2}) a JSON array of mixed events. Mailjet signs
 * nothing and recommends basic auth in the callback URL: {@code basic_auth} is required.
 *
 * <p>Mailjet has no event id, so {@code event_key} is the content hash of each event object
 * (the same event delivered again, alone or grouped differently, gets the same key).
 * {@code MessageID} exceeds 2^53: it is read as the JSON parser's exact integer (Long or
 * BigInteger) and printed from that, never through a double.
 *
 * <p>Malformed events: Mailjet retries non-200 answers and then gives up, so an object that
 * cannot be mapped is stored as {@code unknown} rather than refusing its group, and an unreadable
 * {@code time} falls back to the request's arrival. A body that is neither an object nor an
 * array of objects (nothing Mailjet sends, nothing to store) is refused with 400.
 *
 * <p>Differences from django-anymail, on purpose: a {@code Payload} that is not a JSON object
 * is kept in {@code metadata} under {@code "Payload"} instead of being dropped; {@code ip},
 * {@code description} (Mailjet's {@code error} and what it relates to) and {@code bounce_type}
 * ({@code hard_bounce}) are this gateway's additions.
 */
public final class MailjetProvider implements SynchronousProvider {
  private static final Map<String, EventType> TYPES = Map.of(
      "sent", EventType.DELIVERED,
      "open", EventType.OPENED,
      "click", EventType.CLICKED,
      "bounce", EventType.BOUNCED,
      "blocked", EventType.REJECTED,
      "spam", EventType.COMPLAINED,
      "unsub", EventType.UNSUBSCRIBED);

  /** Mailjet's {@code error} values (its event API error table) → reject reason; others are {@code other}. */
  private static final Map<String, RejectReason> ERRORS = Map.ofEntries(
      Map.entry("user unknown", RejectReason.BOUNCED),
      Map.entry("mailbox inactive", RejectReason.BOUNCED),
      Map.entry("quota exceeded", RejectReason.BOUNCED),
      Map.entry("invalid domain", RejectReason.BOUNCED),
      Map.entry("no mail host", RejectReason.BOUNCED),
      Map.entry("relay/access denied", RejectReason.BOUNCED),
      Map.entry("blacklisted", RejectReason.BLOCKED),
      Map.entry("sender blocked", RejectReason.BLOCKED),
      Map.entry("content blocked", RejectReason.BLOCKED),
      Map.entry("policy issue", RejectReason.BLOCKED),
      Map.entry("preblocked", RejectReason.BLOCKED),
      Map.entry("spam reporter", RejectReason.SPAM),
      Map.entry("typofix", RejectReason.INVALID),
      Map.entry("greylisted", RejectReason.OTHER),
      Map.entry("duplicate in campaign", RejectReason.OTHER));

  private final String sourceId;
  private final AuthorizationCredentials credentials;

  public MailjetProvider(SourceConfig source) {
    this.sourceId = source.id();
    this.credentials = AuthorizationCredentials.basicOnly(source);
    if (!credentials.isConfigured()) {
      throw new MissingCredentialsException(source.settings().key("basic_auth"));
    }
  }

  @Override
  public String name() {
    return "mailjet";
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
      events = List.of(single);
    } else if (body instanceof JsonArray grouped) {
      events = JsonFields.objects(grouped, "event");
    } else {
      throw WebhookException.badRequest("expected a Mailjet event object or an array of them");
    }
    return events.stream().map(event -> toEvent(event, request.receivedAt())).toList();
  }

  private EmailEvent toEvent(JsonObject event, Instant receivedAt) {
    Instant time = LenientReads.epochSeconds(event.getValue("time"));
    String campaign = LenientReads.nonBlank(event, "customcampaign");
    EmailEvent.Builder builder = EmailEvent.builder(sourceId, name())
        .occurredAt(time != null ? time : receivedAt)
        .messageId(messageId(event))
        .recipient(JsonFields.text(event, "email"))
        .tags(campaign == null ? List.of() : List.of(campaign))
        .metadata(LenientReads.metadata(event.getValue("Payload"), "Payload"))
        .clickUrl(JsonFields.text(event, "url"))
        .userAgent(JsonFields.text(event, "agent"))
        .ip(LenientReads.nonBlank(event, "ip"))
        .mtaResponse(JsonFields.text(event, "smtp_reply"))
        .espEvent(event);
    classify(builder, event);
    return builder.build();
  }

  /**
   * A greylisting "bounce" that is not hard will be retried by Mailjet ("Delivery will be
   * re-attempted"), so it is a deferral, not a bounce.
   */
  private static void classify(EmailEvent.Builder builder, JsonObject event) {
    String espType = JsonFields.text(event, "event");
    EventType type = espType == null ? EventType.UNKNOWN : TYPES.getOrDefault(espType, EventType.UNKNOWN);
    boolean hard = LenientReads.isTrue(event.getValue("hard_bounce"));
    String error = LenientReads.nonBlank(event, "error");
    if (type == EventType.BOUNCED && "greylisted".equals(error) && !hard) {
      type = EventType.DEFERRED;
    }
    builder.type(type);
    if (type == EventType.BOUNCED) {
      builder.bounceType(hard ? BounceType.HARD : BounceType.SOFT);
    }
    if (error != null) {
      String relatedTo = LenientReads.nonBlank(event, "error_related_to");
      builder.rejectReason(ERRORS.getOrDefault(error, RejectReason.OTHER))
          .description(relatedTo == null ? error : error + " (related to " + relatedTo + ")");
    }
  }

  /** {@code MessageID} as exact digits; the deprecated {@code mj_message_id} string when it is absent. */
  private static String messageId(JsonObject event) {
    String id = LenientReads.nonBlank(event, "MessageID");
    return id != null ? id : LenientReads.nonBlank(event, "mj_message_id");
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    return parse(StoredEventRequests.json(sourceId, espEvent, fallbackTime));
  }
}
