package io.emailgateway.provider;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.emailgateway.auth.ConstantTime;
import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventKeys;
import io.emailgateway.event.EventType;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mandrill (Mailchimp Transactional): a form POST whose one field, {@code mandrill_events}, is a
 * JSON array of up to 1000 events.
 *
 * <p>{@code X-Mandrill-Signature} is base64 HMAC-SHA1 under the webhook's key (any of {@code
 * webhook_keys}) over {@code webhook_url}, then each POST field in sorted name order as name +
 * decoded value, no separators. The URL is configured, not rebuilt from the request: behind a
 * proxy the gateway cannot know the exact URL Mandrill was given, and that string is what it signs.
 * A field sent twice is refused, since the signature would cover only one of its values. When its
 * HEAD check of a new URL fails, Mandrill posts an empty batch signed with the generic key {@code
 * test-webhook}; that key is accepted for exactly that body, which carries nothing to store. No
 * timestamp is signed, so no freshness window exists; a replay is absorbed by the event key.
 *
 * <p>Event key: Mandrill has no event id. A message event (one with {@code _id}) is keyed by the
 * hash of the event without its {@code msg}: {@code msg} is a snapshot of the message (its opens,
 * clicks, SMTP events, state) that a batch serialized anew for a retry may carry differently, while
 * {@code _id}, {@code event}, {@code ts} and the event's own fields ({@code url}, {@code ip},
 * {@code user_agent}, {@code location}) identify it. A bare {@code _id}+{@code event}+{@code ts}
 * would merge two clicks on different links within one second, which link scanners produce. Sync
 * events (no {@code _id}) are keyed by the hash of the whole event.
 *
 * <p>Batches: an element that is not a JSON object refuses the whole request (400); an object
 * that is no known event is stored as {@code unknown} with what can be read; without {@code ts}
 * the event time is the time of receipt. Inbound messages are refused (400): they are not tracking
 * events, and an inbound route posting here is a misconfiguration to surface, not to drop.
 *
 * <p>Mapping is anymail's, except: {@code delivered} (listed in Mailchimp's current docs) is
 * {@code delivered}, not unknown; {@code hard_bounce}/{@code soft_bounce} set bounce type
 * hard/soft; a bounce's description is {@code msg.bounce_description} (anymail: none).
 */
public final class MandrillProvider implements SynchronousProvider {
  static final String URL_CHECK_KEY = "test-webhook";
  private static final String EVENTS_FIELD = "mandrill_events";
  private static final Set<String> CONTENT_TYPES = Set.of(FormFields.URLENCODED, FormFields.MULTIPART);
  private static final Map<String, EventType> TYPES = Map.ofEntries(
      Map.entry("send", EventType.SENT), Map.entry("deferral", EventType.DEFERRED),
      Map.entry("hard_bounce", EventType.BOUNCED), Map.entry("soft_bounce", EventType.BOUNCED),
      Map.entry("delivered", EventType.DELIVERED), Map.entry("open", EventType.OPENED),
      Map.entry("click", EventType.CLICKED), Map.entry("spam", EventType.COMPLAINED),
      Map.entry("unsub", EventType.UNSUBSCRIBED), Map.entry("reject", EventType.REJECTED));

  private final String sourceId;
  private final List<byte[]> webhookKeys;
  private final String webhookUrl;

  public MandrillProvider(SourceConfig source) {
    ConfigSection settings = source.settings();
    List<String> keys = settings.strings("webhook_keys");
    if (keys.isEmpty()) {
      throw new MissingCredentialsException(settings.key("webhook_keys"));
    }
    this.sourceId = source.id();
    this.webhookKeys = keys.stream().map(key -> key.getBytes(UTF_8)).toList();
    this.webhookUrl = webhookUrl(settings);
  }

  /** Kept exactly as configured (no normalization): Mandrill signs the string it was given. */
  private static String webhookUrl(ConfigSection settings) {
    String url = settings.requiredString("webhook_url");
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      if (uri.getHost() != null && ("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))) {
        return url;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw ConfigException.invalid(settings.key("webhook_url"),
        "expected the absolute http(s) URL exactly as configured at Mandrill, got '" + url + "'");
  }

  @Override
  public String name() {
    return "mandrill";
  }

  @Override
  public boolean acceptsContentType(String mediaType) {
    return mediaType != null && CONTENT_TYPES.contains(mediaType);
  }

  @Override
  public void verify(WebhookRequest request) {
    String header = request.header("X-Mandrill-Signature");
    if (header == null || header.isBlank()) {
      throw WebhookException.unauthorized("X-Mandrill-Signature header missing");
    }
    FormFields form = FormFields.parse(request);
    if (form.grouped().values().stream().anyMatch(values -> values.size() > 1)) {
      throw WebhookException.unauthorized("a form field is repeated, the signature covers one value only");
    }
    byte[] signed = signedString(form).getBytes(UTF_8);
    byte[] presented = header.trim().getBytes(US_ASCII);
    boolean matches = ConstantTime.equalsAny(webhookKeys.stream().map(key -> sign(key, signed)).toList(), presented);
    if (!matches && isUrlCheck(form)) {
      matches = ConstantTime.equals(sign(URL_CHECK_KEY.getBytes(UTF_8), signed), presented);
    }
    if (!matches) {
      throw WebhookException.unauthorized("signature mismatch");
    }
  }

  private String signedString(FormFields form) {
    StringBuilder signed = new StringBuilder(webhookUrl);
    form.lastValuesSorted().forEach((name, value) -> signed.append(name).append(value));
    return signed.toString();
  }

  private static byte[] sign(byte[] key, byte[] signed) {
    return Base64.getEncoder().encode(Hmacs.hmac("HmacSHA1", key, signed));
  }

  /** Mandrill's fallback check of a new URL: {@code mandrill_events=[]} and nothing else. */
  private static boolean isUrlCheck(FormFields form) {
    return form.grouped().size() == 1 && decodeOrNull(form.first(EVENTS_FIELD)) instanceof JsonArray events
        && events.isEmpty();
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    String events = FormFields.parse(request).last(EVENTS_FIELD);
    if (events == null) {
      throw WebhookException.badRequest("form field mandrill_events is missing");
    }
    Object decoded = JsonFields.parse(events, EVENTS_FIELD);
    if (!(decoded instanceof JsonArray array)) {
      throw WebhookException.badRequest("mandrill_events is not a JSON array");
    }
    return JsonFields.objects(array, EVENTS_FIELD).stream().map(event -> toEvent(event, request.receivedAt())).toList();
  }

  private EmailEvent toEvent(JsonObject event, Instant receivedAt) {
    String kind = firstNonNull(JsonFields.text(event, "event"), JsonFields.text(event, "type"));
    if ("inbound".equals(kind)) {
      throw WebhookException.badRequest("mandrill_events holds inbound messages, not tracking events");
    }
    JsonObject msg = JsonFields.object(event, "msg");
    JsonObject reject = JsonFields.object(event, "reject");
    return EmailEvent.builder(sourceId, name())
        .eventKey(eventKey(event))
        .type(kind == null ? EventType.UNKNOWN : TYPES.getOrDefault(kind, EventType.UNKNOWN))
        .bounceType("hard_bounce".equals(kind) ? BounceType.HARD : "soft_bounce".equals(kind) ? BounceType.SOFT : null)
        .occurredAt(occurredAt(JsonFields.text(event, "ts"), receivedAt))
        .messageId(firstNonNull(JsonFields.text(event, "_id"), JsonFields.text(msg, "_id")))
        .recipient(firstNonNull(JsonFields.text(msg, "email"), JsonFields.text(reject, "email")))
        .sender(JsonFields.text(msg, "sender"))
        .subject(JsonFields.text(msg, "subject"))
        .tags(JsonFields.stringOrList(msg, "tags"))
        .metadata(JsonFields.object(msg, "metadata"))
        .clickUrl(JsonFields.text(event, "url"))
        .userAgent(JsonFields.text(event, "user_agent"))
        .ip(JsonFields.text(event, "ip"))
        .mtaResponse(JsonFields.text(msg, "diag"))
        .description(firstNonNull(JsonFields.text(reject, "detail"), JsonFields.text(reject, "reason"),
            JsonFields.text(msg, "bounce_description")))
        .espEvent(event)
        .build();
  }

  /** Null (the builder then hashes the whole event) for events that are not about one message. */
  static String eventKey(JsonObject event) {
    if (JsonFields.text(event, "_id") == null) {
      return null;
    }
    JsonObject withoutSnapshot = new JsonObject();
    event.forEach(field -> {
      if (!field.getKey().equals("msg")) {
        withoutSnapshot.put(field.getKey(), field.getValue());
      }
    });
    return EventKeys.contentHash(withoutSnapshot);
  }

  private static Instant occurredAt(String ts, Instant receivedAt) {
    try {
      return ts == null ? receivedAt : Timestamps.fromEpochSeconds(ts);
    } catch (DateTimeParseException e) {
      return receivedAt;
    }
  }

  private static Object decodeOrNull(String json) {
    return JsonFields.parseOrNull(json);
  }

  private static String firstNonNull(String... values) {
    for (String value : values) {
      if (value != null && !value.isEmpty()) {
        return value;
      }
    }
    return null;
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    return parse(StoredEventRequests.form(sourceId,
        new JsonObject().put(EVENTS_FIELD, StoredEventRequests.arrayOf(espEvent).encode()), fallbackTime));
  }
}
