package io.emailgateway.provider;

import io.emailgateway.auth.BasicAuthVerifier;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * SendGrid Event Webhook (REFERENCE.md §3): a JSON array of events, any size.
 *
 * <p>Authenticity: the Signed Event Webhook, ECDSA P-256 over the timestamp header's bytes
 * followed by the raw body (see {@link SendGridSignature}); any of {@code public_keys} may verify,
 * so keys rotate without downtime. {@code basic_auth}, when configured, is enforced as well.
 * {@code timestamp_tolerance} is off by default: SendGrid gives no freshness guidance and does not
 * document whether its retries (for up to 24 h) are signed afresh, so a default window could refuse
 * legitimate retries; deduplication on {@code sg_event_id} already makes replays harmless.
 *
 * <p>Mapping follows django-anymail's, with these deliberate differences:
 * <ul>
 *   <li>{@code message_id} is SendGrid's own id, the {@code X-Message-Id} returned at send time
 *       (anymail reports its own custom arg {@code anymail_id}); see {@link #messageId}.
 *   <li>{@code anymail_id} stays out of {@code metadata}, as in anymail: it is anymail's reserved
 *       key, not the sender's custom arg (it remains in {@code esp_event}).
 *   <li>{@code tags} is always a list (SendGrid sends a single category as a plain string).
 *   <li>dropped for {@code Spam Reporting Address} is {@code spam} (anymail: {@code other}); a dropped
 *       event's {@code reason} becomes {@code description}; a bounce's {@code bounce_classification}
 *       becomes its {@code description}.
 *   <li>{@code bounce_type}: {@code type=bounce} is hard, {@code type=blocked} soft, else none.
 *   <li>{@code ip} only on opens and clicks: on delivery events it is SendGrid's sending IP.
 * </ul>
 *
 * <p>Batches: an element that is not a JSON object refuses the whole request with 400 naming its
 * position (it cannot be an event SendGrid sent, so the body is not SendGrid's). An object without
 * a usable {@code timestamp} is stored with the time the gateway received it; one without a
 * known {@code event} is stored as {@code unknown}.
 */
public final class SendGridProvider implements SynchronousProvider {
  static final String SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
  static final String TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";

  private static final Map<String, EventType> EVENT_TYPES = Map.ofEntries(
      Map.entry("processed", EventType.QUEUED),
      Map.entry("dropped", EventType.REJECTED),
      Map.entry("delivered", EventType.DELIVERED),
      Map.entry("deferred", EventType.DEFERRED),
      Map.entry("bounce", EventType.BOUNCED),
      Map.entry("open", EventType.OPENED),
      Map.entry("click", EventType.CLICKED),
      Map.entry("spamreport", EventType.COMPLAINED),
      Map.entry("unsubscribe", EventType.UNSUBSCRIBED),
      Map.entry("group_unsubscribe", EventType.UNSUBSCRIBED),
      Map.entry("group_resubscribe", EventType.SUBSCRIBED));

  /** Lower-cased {@code type} or {@code reason} of a dropped event. */
  private static final Map<String, RejectReason> DROP_REASONS = Map.of(
      "invalid", RejectReason.INVALID,
      "unsubscribed address", RejectReason.UNSUBSCRIBED,
      "bounce", RejectReason.BOUNCED,
      "bounced address", RejectReason.BOUNCED,
      "spam reporting address", RejectReason.SPAM,
      "blocked", RejectReason.BLOCKED,
      "expired", RejectReason.TIMED_OUT);

  /**
   * SendGrid merges custom args into each event as top-level keys, so metadata is every key not in
   * this list: anymail's {@code sendgrid_event_keys} plus fields documented since (bounce
   * classification, Apple MPP opens, dynamic templates, A/B tests, Marketing Campaigns single sends).
   */
  private static final Set<String> SENDGRID_FIELDS = Set.of(
      "anymail_id", "asm_group_id", "attempt", "category", "cert_err", "email", "event", "ip",
      "marketing_campaign_id", "marketing_campaign_name", "marketing_campaign_version",
      "marketing_campaign_split_id", "newsletter", "nlvx_campaign_id", "nlvx_campaign_split_id",
      "nlvx_user_id", "pool", "post_type", "reason", "response", "send_at", "sg_event_id",
      "sg_message_id", "smtp-id", "status", "timestamp", "tls", "type", "url", "url_offset",
      "useragent", "bounce_classification", "sg_machine_open", "sg_content_type", "sg_template_id",
      "sg_template_name", "sg_user_id", "template", "template_id", "template_name",
      "template_version_id", "singlesend_id", "singlesend_name", "mc_stats", "phase_id",
      "unique_args", "custom_args");

  private final String sourceId;
  private final SendGridSignature signature;
  private final BasicAuthVerifier basicAuth;

  public SendGridProvider(SourceConfig source) {
    this(source, Clock.systemUTC());
  }

  SendGridProvider(SourceConfig source, Clock clock) {
    ConfigSection settings = source.settings();
    this.sourceId = source.id();
    List<PublicKey> keys = SendGridSignature.publicKeys(settings, "public_keys");
    Duration tolerance = settings.duration("timestamp_tolerance", null);
    this.signature = keys.isEmpty() ? null : new SendGridSignature(keys, tolerance, clock);
    this.basicAuth = BasicAuthVerifier.fromConfig(settings, "basic_auth");
    if (signature == null && !basicAuth.isConfigured()) {
      throw new MissingCredentialsException(settings.key("public_keys") + " (and basic_auth)");
    }
  }

  @Override
  public String name() {
    return "sendgrid";
  }

  @Override
  public boolean acceptsContentType(String mediaType) {
    return "application/json".equals(mediaType);
  }

  @Override
  public void verify(WebhookRequest request) {
    if (basicAuth.isConfigured() && !basicAuth.verify(request.header("Authorization"))) {
      throw WebhookException.unauthorized("basic auth did not match");
    }
    if (signature != null) {
      signature.verify(request.header(TIMESTAMP_HEADER), request.header(SIGNATURE_HEADER), request.bodyBytes());
    }
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    // Each event's text as it arrived goes with it, so the store need not encode it again; the
    // store still encodes it from the parsed object when the text holds what jsonb would refuse
    // (JsonText.asReceived — one such event would fail its whole group commit on every retry).
    List<JsonFields.ObjectText> items = JsonFields.objectsWithText(request.body(), "events");
    List<EmailEvent> events = new ArrayList<>(items.size());
    for (JsonFields.ObjectText item : items) {
      events.add(toEvent(item.object(), item.text(), request.receivedAt()));
    }
    return events;
  }

  private EmailEvent toEvent(JsonObject e, String text, Instant receivedAt) {
    String kind = JsonFields.text(e, "event");
    EventType type = kind == null ? EventType.UNKNOWN : EVENT_TYPES.getOrDefault(kind, EventType.UNKNOWN);
    boolean engagement = type == EventType.OPENED || type == EventType.CLICKED;
    EmailEvent.Builder event = EmailEvent.builder(sourceId, name())
        .type(type)
        .eventKey(nonBlank(JsonFields.text(e, "sg_event_id")))
        .occurredAt(occurredAt(e, receivedAt))
        .messageId(messageId(e))
        .recipient(JsonFields.text(e, "email"))
        .tags(JsonFields.stringOrList(e, "category"))
        .metadata(metadata(e))
        .clickUrl(JsonFields.text(e, "url"))
        .userAgent(JsonFields.text(e, "useragent"))
        .ip(engagement ? JsonFields.text(e, "ip") : null)
        .espEvent(e, text);
    describeOutcome(event, type, e);
    return event.build();
  }

  /**
   * A dropped message never reached an MTA: its {@code type} (else {@code reason}) says why and
   * {@code reason} is SendGrid's own words. Everything else carries the MTA's {@code response}
   * (delivered, deferred) or {@code reason} (bounce).
   */
  private static void describeOutcome(EmailEvent.Builder event, EventType type, JsonObject e) {
    String reason = JsonFields.text(e, "reason");
    String subtype = JsonFields.text(e, "type");
    if (type == EventType.REJECTED) {
      String cause = subtype != null ? subtype : reason == null ? "" : reason;
      event.rejectReason(DROP_REASONS.getOrDefault(cause.toLowerCase(Locale.ROOT), RejectReason.OTHER)).description(reason);
      return;
    }
    String response = JsonFields.text(e, "response");
    event.mtaResponse(response != null ? response : reason);
    if (type == EventType.BOUNCED) {
      event.bounceType(bounceType(subtype)).description(JsonFields.text(e, "bounce_classification"));
    }
  }

  /** A bounce's {@code type}: {@code bounce} is permanent, {@code blocked} a temporary refusal SendGrid gave up on. */
  static BounceType bounceType(String type) {
    if ("bounce".equals(type)) {
      return BounceType.HARD;
    }
    return "blocked".equals(type) ? BounceType.SOFT : null;
  }

  private static Instant occurredAt(JsonObject e, Instant receivedAt) {
    Object timestamp = e.getValue("timestamp");
    if (timestamp instanceof Number || timestamp instanceof String) {
      try {
        return Timestamps.fromEpochSeconds(timestamp.toString());
      } catch (DateTimeParseException notUnixSeconds) {
        return receivedAt;
      }
    }
    return receivedAt;
  }

  /**
   * SendGrid's id of the message, as its mail-send API returned it in {@code X-Message-Id}.
   * {@code sg_message_id} is that id followed by {@code .<filter server>.<…>}, and SendGrid's own
   * {@code smtp-id} is {@code <id@host>}. The rule: the local part of {@code smtp-id} when
   * {@code sg_message_id} starts with it and a dot (this covers old ids that themselves contain
   * dots, e.g. {@code 14c5d75ce93.dfd.64b469}); else the part of {@code sg_message_id} before its
   * first dot, unless that part is already the filter server's name (some dropped events carry
   * only {@code filter0093p1las1.9128.…}); else the local part of {@code smtp-id} (which is the
   * sender's own Message-ID when it set one); else none.
   */
  static String messageId(JsonObject e) {
    String smtpLocal = localPart(nonBlank(JsonFields.text(e, "smtp-id")));
    String sgMessageId = nonBlank(JsonFields.text(e, "sg_message_id"));
    if (sgMessageId != null) {
      if (smtpLocal != null && sgMessageId.startsWith(smtpLocal + ".")) {
        return smtpLocal;
      }
      int dot = sgMessageId.indexOf('.');
      String first = dot < 0 ? sgMessageId : sgMessageId.substring(0, dot);
      if (!first.isEmpty() && !first.startsWith("filter") && !first.startsWith("recvd")) {
        return first;
      }
    }
    return smtpLocal;
  }

  private static String localPart(String smtpId) {
    if (smtpId == null) {
      return null;
    }
    String id = smtpId.trim();
    int start = id.startsWith("<") ? 1 : 0;
    int at = id.indexOf('@');
    int end = at >= 0 ? at : (id.endsWith(">") ? id.length() - 1 : id.length());
    return end > start ? id.substring(start, end) : null;
  }

  /** Custom args: top-level keys SendGrid does not define, plus any nested {@code unique_args}/{@code custom_args}. */
  static JsonObject metadata(JsonObject e) {
    JsonObject metadata = new JsonObject();
    for (String nested : List.of("unique_args", "custom_args")) {
      JsonObject args = JsonFields.object(e, nested);
      if (args != null) {
        metadata.mergeIn(args);
      }
    }
    // The map itself, not the JsonObject's iterator, which wraps every nested value on the way.
    e.getMap().forEach((key, value) -> {
      if (!SENDGRID_FIELDS.contains(key)) {
        metadata.put(key, value);
      }
    });
    // Detached from the ESP event: a deep copy, needed only when a value is an object or array.
    boolean nested = metadata.getMap().values().stream()
        .anyMatch(value -> value instanceof Map || value instanceof List || value instanceof JsonObject
            || value instanceof JsonArray);
    return nested ? metadata.copy() : metadata;
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    return parse(StoredEventRequests.json(sourceId, StoredEventRequests.arrayOf(espEvent), fallbackTime));
  }
}
