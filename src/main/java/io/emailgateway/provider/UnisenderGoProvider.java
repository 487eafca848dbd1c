package io.emailgateway.provider;

import io.emailgateway.auth.ConstantTime;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventKeys;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Unisender Go transactional webhooks ("json_post" format). A body is either a batch
 * {@code {"auth", "events_by_user":[{"user_id", "project_id", "events":[{"event_name",
 * "event_data"}]}]}} (up to 100 events) or, with "use single event", one flat object holding
 * {@code event_name} and the event data fields. Its GET on activation is answered by the HTTP layer.
 *
 * <p>Authentication: the top-level {@code auth} is the MD5 hex of the body as sent, in which that
 * value stands where the API key stood ("MD5 hash of the string body of the message, with the auth
 * value replaced by the api_key"). So the check replaces the received value with each configured
 * key (config {@code api_keys}) in the raw bytes and hashes them — no re-serialization, which would
 * change Unisender's {@code \/} escapes. Nothing time-bound is signed: no freshness window.
 *
 * <p>Mapping ({@code event_data.status}) as in django-anymail: soft_bounced is {@code deferred},
 * hard_bounced {@code bounced} (hard); the reject reason comes from
 * {@code delivery_info.delivery_status} err_* codes; description is the unsubscribe
 * {@code comment}, else that code. Unisender Go gives no event id, so the key is the content hash
 * of the event object (for the flat form without {@code auth}, which changes with the key).
 * Differences from anymail, on purpose: {@code message_id} is Unisender's {@code job_id} and
 * {@code metadata} is passed whole (anymail prefers its own {@code metadata.anymail_id} and removes
 * it — the gateway reports the ESP's id for mail sent by any client, as for SendGrid); events
 * other than {@code transactional_email_status} (e.g. {@code transactional_spam_block}) are stored
 * as {@code unknown} instead of dropped. A batch whose structure is broken (an element that is not
 * an object, an event without {@code event_data}) is refused with 400; a bad field inside an event
 * is not: an event without a readable {@code event_time} takes the time the gateway received it.
 */
public final class UnisenderGoProvider implements SynchronousProvider {
  private static final Pattern MD5_HEX = Pattern.compile("[0-9a-fA-F]{32}");
  private static final DateTimeFormatter EVENT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final String STATUS_EVENT = "transactional_email_status";
  private static final Map<String, EventType> STATUSES = Map.of(
      "sent", EventType.SENT,
      "delivered", EventType.DELIVERED,
      "opened", EventType.OPENED,
      "clicked", EventType.CLICKED,
      "unsubscribed", EventType.UNSUBSCRIBED,
      "subscribed", EventType.SUBSCRIBED,
      "spam", EventType.COMPLAINED,
      "soft_bounced", EventType.DEFERRED,
      "hard_bounced", EventType.BOUNCED);
  private static final Map<String, RejectReason> DELIVERY_STATUSES = Map.ofEntries(
      Map.entry("err_user_unknown", RejectReason.BOUNCED),
      Map.entry("err_user_inactive", RejectReason.BOUNCED),
      Map.entry("err_mailbox_discarded", RejectReason.BOUNCED),
      Map.entry("err_mailbox_full", RejectReason.BOUNCED),
      Map.entry("err_too_large", RejectReason.BOUNCED),
      Map.entry("err_unreachable", RejectReason.BOUNCED),
      Map.entry("err_skip_letter", RejectReason.BOUNCED),
      Map.entry("err_domain_inactive", RejectReason.BOUNCED),
      Map.entry("err_destination_misconfigured", RejectReason.BOUNCED),
      Map.entry("err_spam_rejected", RejectReason.SPAM),
      Map.entry("err_spam_skipped", RejectReason.SPAM),
      Map.entry("err_blacklisted", RejectReason.BLOCKED),
      Map.entry("err_unsubscribed", RejectReason.UNSUBSCRIBED));

  private final String sourceId;
  private final List<byte[]> apiKeys;

  public UnisenderGoProvider(SourceConfig source) {
    this.sourceId = source.id();
    this.apiKeys = source.settings().strings("api_keys").stream()
        .map(key -> key.getBytes(StandardCharsets.UTF_8)).toList();
    if (apiKeys.isEmpty()) {
      throw new MissingCredentialsException(source.settings().key("api_keys"));
    }
  }

  @Override
  public String name() {
    return "unisender_go";
  }

  /**
   * Unisender Go does not document the Content-Type of its POSTs (anymail ignores it), and the
   * signature does not depend on it: JSON, text and form types are all accepted.
   */
  @Override
  public boolean acceptsContentType(String mediaType) {
    return switch (mediaType) {
      case "application/json", "text/json", "text/plain", "application/x-www-form-urlencoded" -> true;
      default -> false;
    };
  }

  @Override
  public void verify(WebhookRequest request) {
    String auth = JsonFields.text(JsonFields.object(request.body()), "auth");
    if (auth == null || auth.isEmpty()) {
      throw WebhookException.unauthorized("auth field missing");
    }
    // Only a 32-digit hex value can be the MD5; it also cannot occur inside a multi-byte UTF-8
    // sequence, so a byte-level search for it is exact.
    if (!MD5_HEX.matcher(auth).matches()) {
      throw WebhookException.unauthorized("auth field is not an MD5 hex digest");
    }
    byte[] presented = HexFormat.of().parseHex(auth);
    byte[] body = request.bodyBytes();
    byte[] authValue = auth.getBytes(StandardCharsets.US_ASCII);
    List<byte[]> expected = apiKeys.stream().map(key -> md5(replaceAll(body, authValue, key))).toList();
    if (!ConstantTime.equalsAny(expected, presented)) {
      throw WebhookException.unauthorized("auth does not match any API key");
    }
  }

  /** Every occurrence, as a string replace on the body text would. */
  static byte[] replaceAll(byte[] body, byte[] target, byte[] replacement) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + replacement.length);
    int i = 0;
    while (i < body.length) {
      if (i <= body.length - target.length && Arrays.equals(body, i, i + target.length, target, 0, target.length)) {
        out.write(replacement, 0, replacement.length);
        i += target.length;
      } else {
        out.write(body[i++]);
      }
    }
    return out.toByteArray();
  }

  private static byte[] md5(byte[] bytes) {
    try {
      return MessageDigest.getInstance("MD5").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JVM", e);
    }
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    JsonObject body = JsonFields.object(request.body());
    if (body.containsKey("events_by_user")) {
      return parseBatch(request, body);
    }
    JsonObject withoutAuth = body.copy();
    withoutAuth.remove("auth");
    String key = EventKeys.contentHash(withoutAuth);
    return List.of(toEvent(request, body, body, JsonFields.text(body, "event_name"), key));
  }

  private List<EmailEvent> parseBatch(WebhookRequest request, JsonObject body) {
    List<EmailEvent> events = new ArrayList<>();
    List<JsonObject> users = JsonFields.objects(array(body, "events_by_user", "events_by_user"), "events_by_user");
    for (int u = 0; u < users.size(); u++) {
      String where = "events_by_user[" + u + "].events";
      for (JsonObject event : JsonFields.objects(array(users.get(u), "events", where), where)) {
        JsonObject data = JsonFields.object(event, "event_data");
        if (data == null) {
          throw WebhookException.badRequest(where + " has an event without event_data");
        }
        events.add(toEvent(request, event, data, JsonFields.text(event, "event_name"), null));
      }
    }
    return events;
  }

  private static JsonArray array(JsonObject object, String key, String where) {
    if (!(object.getValue(key) instanceof JsonArray array)) {
      throw WebhookException.badRequest(where + " is not an array");
    }
    return array;
  }

  private EmailEvent toEvent(WebhookRequest request, JsonObject original, JsonObject data, String eventName, String key) {
    String status = JsonFields.text(data, "status");
    EventType type = STATUS_EVENT.equals(eventName) && status != null
        ? STATUSES.getOrDefault(status, EventType.UNKNOWN) : EventType.UNKNOWN;
    JsonObject info = JsonFields.object(data, "delivery_info");
    String deliveryStatus = JsonFields.text(info, "delivery_status");
    String comment = JsonFields.text(data, "comment");
    JsonObject metadata = JsonFields.object(data, "metadata");
    return EmailEvent.builder(sourceId, name())
        .eventKey(key)
        .type(type)
        .bounceType(type == EventType.BOUNCED ? BounceType.HARD : null)
        .rejectReason(rejectReason(deliveryStatus))
        .occurredAt(occurredAt(data, request.receivedAt()))
        .messageId(JsonFields.text(data, "job_id"))
        .recipient(JsonFields.text(data, "email"))
        .metadata(metadata == null ? new JsonObject() : metadata)
        .clickUrl(JsonFields.text(data, "url"))
        .userAgent(JsonFields.text(info, "user_agent"))
        .ip(JsonFields.text(info, "ip"))
        .mtaResponse(JsonFields.text(info, "destination_response"))
        .description(comment != null ? comment : deliveryStatus)
        .espEvent(original)
        .build();
  }

  /** err_* codes; {@code err_will_retry} is not a rejection yet, and an unknown err_* is "other". */
  static RejectReason rejectReason(String deliveryStatus) {
    if (deliveryStatus == null || !deliveryStatus.startsWith("err") || deliveryStatus.equals("err_will_retry")) {
      return null;
    }
    return DELIVERY_STATUSES.getOrDefault(deliveryStatus, RejectReason.OTHER);
  }

  /** {@code event_time} (status events) or {@code block_time} (spam blocks), UTC without a zone. */
  private static Instant occurredAt(JsonObject data, Instant receivedAt) {
    String time = JsonFields.text(data, "event_time");
    if (time == null) {
      time = JsonFields.text(data, "block_time");
    }
    if (time == null) {
      return receivedAt;
    }
    try {
      return LocalDateTime.parse(time.trim(), EVENT_TIME).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      try {
        return Timestamps.fromIso(time.trim());
      } catch (DateTimeParseException notIso) {
        return receivedAt;
      }
    }
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    // A batch stores each element of events_by_user[].events; a single event stores the whole body.
    JsonObject body = espEvent.containsKey("event_data")
        ? new JsonObject().put("events_by_user", new JsonArray().add(new JsonObject().put("events", StoredEventRequests.arrayOf(espEvent))))
        : espEvent;
    return parse(StoredEventRequests.json(sourceId, body, fallbackTime));
  }
}
