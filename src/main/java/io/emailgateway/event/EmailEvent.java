package io.emailgateway.event;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One normalized event (DESIGN.md "Normalized event"), as a provider produces it from one ESP
 * event. {@code id} and {@code received_at} are assigned by the store. {@code espEventText} is the
 * ESP event's JSON exactly as it arrived, when the provider could cut it out of the body (SendGrid's
 * batches): the store writes it instead of encoding {@code espEvent} again. Null otherwise.
 * The indexed fields
 * ({@code event_key}, {@code recipient}, {@code message_id}) are kept within
 * {@link EventKeys#MAX_INDEXED_BYTES}: see {@link EventKeys#indexable}.
 */
public record EmailEvent(
    String source,
    String provider,
    String eventKey,
    EventType type,
    BounceType bounceType,
    RejectReason rejectReason,
    Instant occurredAt,
    String messageId,
    String recipient,
    String sender,
    String subject,
    List<String> tags,
    JsonObject metadata,
    String clickUrl,
    String userAgent,
    String ip,
    String mtaResponse,
    String description,
    JsonObject espEvent,
    String espEventText) {

  public EmailEvent {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(eventKey, "eventKey");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(espEvent, "espEvent");
    eventKey = EventKeys.indexable(eventKey);
    recipient = recipient == null ? null : EventKeys.truncated(recipient.toLowerCase(Locale.ROOT));
    messageId = EventKeys.truncated(messageId);
    tags = tags == null ? List.of() : List.copyOf(tags);
    metadata = metadata == null ? new JsonObject() : metadata;
  }

  public static Builder builder(String source, String provider) {
    return new Builder(source, provider);
  }

  /** The event as the normalized JSON object, without the store-assigned fields. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("source", source)
        .put("provider", provider)
        .put("event_key", eventKey)
        .put("type", type.wireName())
        .put("bounce_type", bounceType == null ? null : bounceType.wireName())
        .put("reject_reason", rejectReason == null ? null : rejectReason.wireName())
        .put("occurred_at", Timestamps.format(occurredAt))
        .put("message_id", messageId)
        .put("recipient", recipient)
        .put("sender", sender)
        .put("subject", subject)
        .put("tags", new JsonArray(List.copyOf(tags)))
        .put("metadata", metadata)
        .put("click_url", clickUrl)
        .put("user_agent", userAgent)
        .put("ip", ip)
        .put("mta_response", mtaResponse)
        .put("description", description)
        .put("esp_event", espEvent);
  }

  /** Collects the fields of one event; {@link #build()} derives the key from the content if none was set. */
  public static final class Builder {
    private final String source;
    private final String provider;
    private String eventKey;
    private EventType type = EventType.UNKNOWN;
    private BounceType bounceType;
    private RejectReason rejectReason;
    private Instant occurredAt;
    private String messageId;
    private String recipient;
    private String sender;
    private String subject;
    private List<String> tags = List.of();
    private JsonObject metadata = new JsonObject();
    private String clickUrl;
    private String userAgent;
    private String ip;
    private String mtaResponse;
    private String description;
    private JsonObject espEvent;
    private String espEventText;

    private Builder(String source, String provider) {
      this.source = source;
      this.provider = provider;
    }

    public Builder eventKey(String value) { this.eventKey = value; return this; }
    public Builder type(EventType value) { this.type = value; return this; }
    public Builder bounceType(BounceType value) { this.bounceType = value; return this; }
    public Builder rejectReason(RejectReason value) { this.rejectReason = value; return this; }
    public Builder occurredAt(Instant value) { this.occurredAt = value; return this; }
    public Builder messageId(String value) { this.messageId = value; return this; }
    public Builder recipient(String value) { this.recipient = value; return this; }
    public Builder sender(String value) { this.sender = value; return this; }
    public Builder subject(String value) { this.subject = value; return this; }
    public Builder tags(List<String> value) { this.tags = value; return this; }
    public Builder metadata(JsonObject value) { this.metadata = value; return this; }
    public Builder clickUrl(String value) { this.clickUrl = value; return this; }
    public Builder userAgent(String value) { this.userAgent = value; return this; }
    public Builder ip(String value) { this.ip = value; return this; }
    public Builder mtaResponse(String value) { this.mtaResponse = value; return this; }
    public Builder description(String value) { this.description = value; return this; }
    public Builder espEvent(JsonObject value) { this.espEvent = value; this.espEventText = null; return this; }

    /** The ESP event and its JSON text exactly as received (the same object). */
    public Builder espEvent(JsonObject value, String textAsReceived) {
      this.espEvent = value;
      this.espEventText = textAsReceived;
      return this;
    }

    /**
     * Builds the event. Without an ESP event id the key is the hash of the canonical ESP event
     * JSON, so a redelivery of the same event still deduplicates.
     */
    public EmailEvent build() {
      String key = eventKey != null ? eventKey : EventKeys.contentHash(espEvent);
      return new EmailEvent(source, provider, key, type, bounceType, rejectReason, occurredAt,
          messageId, recipient, sender, subject, tags, metadata, clickUrl, userAgent, ip,
          mtaResponse, description, espEvent, espEventText);
    }
  }
}
