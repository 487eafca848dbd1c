package io.emailgateway.provider;

import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SparkPost (Bird) event webhooks: a JSON array whose elements are {@code {"msys":{"<event
 * class>":{…event…}}}} (plus {@code "cust"} on real traffic). SparkPost signs nothing: the
 * request carries basic auth ({@code basic_auth}) or the OAuth bearer token SparkPost fetched
 * ({@code bearer_tokens}); either verifies. The {@code {"msys":{}}} "ping" elements yield no event.
 *
 * <p>{@code event_key} is SparkPost's {@code event_id}, unique per event. The batch header
 * {@code X-MessageSystems-Batch-ID} is not part of it: a retried batch repeats the same events,
 * which the event id already deduplicates, and keying on the batch would break that if SparkPost
 * ever re-batched events. The batch id is SparkPost's handle for its batch-status view, so it is
 * logged with each batch and named in every 400 (when it has the shape of an id), letting an
 * operator find a refused batch there.
 * {@code esp_event} is the whole array element, wrapper included, as django-anymail stores it.
 *
 * <p>Malformed elements: SparkPost retries anything but 200 for 8 hours and then drops the whole
 * batch, so one odd element must not cost the others. An element that is a JSON object is always
 * stored — as {@code unknown} when it holds no single readable event class; a time that cannot
 * be read falls back to the request's arrival. Only a body that is not an array, or an element
 * that is not an object (nothing SparkPost sends, nothing to store), refuses the request with 400.
 *
 * <p>Differences from django-anymail, on purpose: {@code initial_open}/{@code amp_initial_open}
 * follow the source setting {@code track_initial_open_as_opened} (anymail's
 * {@code SPARKPOST_TRACK_INITIAL_OPEN_AS_OPENED}, default false → {@code unknown}); ISO-8601
 * timestamps (seen on {@code generation_failure}) are read rather than dropped; a bounce class
 * turns only bounces ({@code bounce}, {@code out_of_band}) into auto-replies or list requests,
 * where anymail would also retype a delay; class 26 (Smart Send Suppression, unknown to anymail)
 * is {@code blocked}; {@code bounce_type}, {@code sender}, {@code subject}, {@code ip} and the
 * bounce-class {@code description} are this gateway's additions.
 */
public final class SparkPostProvider implements SynchronousProvider {
  static final String BATCH_HEADER = "X-MessageSystems-Batch-ID";
  private static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
  private static final Logger LOG = LoggerFactory.getLogger(SparkPostProvider.class);
  private static final Map<String, EventType> TYPES = Map.ofEntries(
      Map.entry("injection", EventType.QUEUED),
      Map.entry("delivery", EventType.DELIVERED),
      Map.entry("delay", EventType.DEFERRED),
      Map.entry("bounce", EventType.BOUNCED),
      Map.entry("out_of_band", EventType.BOUNCED),
      Map.entry("policy_rejection", EventType.REJECTED),
      Map.entry("generation_rejection", EventType.REJECTED),
      Map.entry("generation_failure", EventType.FAILED),
      Map.entry("spam_complaint", EventType.COMPLAINED),
      Map.entry("open", EventType.OPENED),
      Map.entry("amp_open", EventType.OPENED),
      Map.entry("click", EventType.CLICKED),
      Map.entry("amp_click", EventType.CLICKED),
      Map.entry("list_unsubscribe", EventType.UNSUBSCRIBED),
      Map.entry("link_unsubscribe", EventType.UNSUBSCRIBED));
  private static final List<String> INITIAL_OPENS = List.of("initial_open", "amp_initial_open");

  private final String sourceId;
  private final AuthorizationCredentials credentials;
  private final Map<String, EventType> types;

  public SparkPostProvider(SourceConfig source) {
    this.sourceId = source.id();
    this.credentials = AuthorizationCredentials.basicOrBearer(source);
    Map<String, EventType> configured = new HashMap<>(TYPES);
    if (source.settings().bool("track_initial_open_as_opened", false)) {
      INITIAL_OPENS.forEach(type -> configured.put(type, EventType.OPENED));
    }
    this.types = Map.copyOf(configured);
  }

  @Override
  public String name() {
    return "sparkpost";
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
    String batchId = request.header(BATCH_HEADER);
    Object body = JsonFields.parse(request.body());
    if (!(body instanceof JsonArray elements)) {
      throw WebhookException.badRequest("expected a JSON array of SparkPost events" + inBatch(batchId));
    }
    List<EmailEvent> events = new ArrayList<>(elements.size());
    for (int i = 0; i < elements.size(); i++) {
      if (!(elements.getValue(i) instanceof JsonObject element)) {
        throw WebhookException.badRequest("element [" + i + "] is not a JSON object" + inBatch(batchId));
      }
      EmailEvent event = toEvent(element, request.receivedAt());
      if (event != null) {
        events.add(event);
      }
    }
    LOG.debug("source {}: SparkPost batch {} with {} elements, {} events", sourceId, batchId, elements.size(), events.size());
    return events;
  }

  /** The batch id for a 400 message, only when it looks like one (it is echoed to the caller). */
  private static String inBatch(String batchId) {
    return batchId != null && BATCH_ID.matcher(batchId).matches() ? " (SparkPost batch " + batchId + ")" : "";
  }

  /** The event of one element, null for a ping, {@code unknown} when no single event class can be read. */
  private EmailEvent toEvent(JsonObject element, Instant receivedAt) {
    JsonObject msys = JsonFields.object(element, "msys");
    if (msys != null && msys.isEmpty()) {
      return null;
    }
    if (msys == null || msys.size() != 1 || !(msys.iterator().next().getValue() instanceof JsonObject event)) {
      return EmailEvent.builder(sourceId, name()).type(EventType.UNKNOWN).occurredAt(receivedAt).espEvent(element).build();
    }
    EmailEvent.Builder builder = EmailEvent.builder(sourceId, name())
        .eventKey(LenientReads.nonBlank(event, "event_id"))
        .occurredAt(occurredAt(event, receivedAt))
        .messageId(JsonFields.text(event, "transmission_id"))
        .recipient(firstText(event, "raw_rcpt_to", "rcpt_to"))
        .sender(firstText(event, "friendly_from", "msg_from"))
        .subject(JsonFields.text(event, "subject"))
        .tags(campaignTag(event))
        .metadata(metadata(event))
        .clickUrl(JsonFields.text(event, "target_link_url"))
        .userAgent(JsonFields.text(event, "user_agent"))
        .ip(JsonFields.text(event, "ip_address"))
        .mtaResponse(JsonFields.text(event, "raw_reason"))
        .espEvent(element);
    classify(builder, event);
    return builder.build();
  }

  /** Type, reject reason, bounce type and description from {@code type} and {@code bounce_class}. */
  private void classify(EmailEvent.Builder builder, JsonObject event) {
    String espType = JsonFields.text(event, "type");
    EventType type = espType == null ? EventType.UNKNOWN : types.getOrDefault(espType, EventType.UNKNOWN);
    String code = LenientReads.nonBlank(event, "bounce_class");
    if (code == null) {
      builder.type(type);
      return;
    }
    SparkPostBounceClass bounceClass = SparkPostBounceClass.of(code);
    if (bounceClass == null) {
      builder.type(type).rejectReason(RejectReason.OTHER);
      return;
    }
    if (type == EventType.BOUNCED && bounceClass.bounceEventType() != null) {
      type = bounceClass.bounceEventType();
    }
    builder.type(type)
        .rejectReason(bounceClass.rejectReason())
        .bounceType(type == EventType.BOUNCED ? bounceClass.bounceType() : null)
        .description(bounceClass.description());
  }

  private static Instant occurredAt(JsonObject event, Instant receivedAt) {
    Object timestamp = event.getValue("timestamp");
    Instant instant = LenientReads.epochSeconds(timestamp);
    if (instant == null) {
      instant = LenientReads.iso(timestamp);
    }
    return instant != null ? instant : receivedAt;
  }

  /** {@code campaign_id} is the tag set at send time; {@code rcpt_tags} come from stored recipient lists. */
  private static List<String> campaignTag(JsonObject event) {
    String campaign = LenientReads.nonBlank(event, "campaign_id");
    return campaign == null ? List.of() : List.of(campaign);
  }

  /** {@code rcpt_meta} holds the message and recipient metadata, already merged by SparkPost. */
  private static JsonObject metadata(JsonObject event) {
    JsonObject meta = JsonFields.object(event, "rcpt_meta");
    return meta == null ? new JsonObject() : meta.copy();
  }

  private static String firstText(JsonObject event, String first, String second) {
    String value = LenientReads.nonBlank(event, first);
    return value != null ? value : LenientReads.nonBlank(event, second);
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    return parse(StoredEventRequests.json(sourceId, StoredEventRequests.arrayOf(espEvent), fallbackTime));
  }
}
