package io.emailgateway.provider;

import io.emailgateway.config.ConfigException;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonObject;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Postal (self-hosted): one event per request, {@code {"event", "timestamp", "payload", "uuid"}}.
 * Postal signs the raw body with its server's RSA key: {@code X-Postal-Signature-256} is base64
 * RSA PKCS#1 v1.5 over SHA-256, {@code X-Postal-Signature} the same over SHA-1 (older releases send
 * only that one). The SHA-256 signature is checked whenever it is present — a request carrying it
 * is never accepted on its SHA-1 signature — else the SHA-1 one. Config {@code public_keys}: PEM,
 * bare base64 DER as {@code postal default-dkim-record} shows it, or that whole record (see
 * {@link RsaPublicKeys}); any entry may verify. Nothing time-bound is signed, so there is no
 * freshness window; {@code uuid} (constant across Postal's retries) is the event key.
 *
 * <p>Mapping follows django-anymail, keyed on payload contents rather than on {@code event}:
 * {@code status} Sent/SoftFail/HardFail/Held → delivered/deferred/failed/queued; a {@code bounce}
 * → bounced (reason bounced; hard, or soft when the bounce says {@code bounce_type: soft}); a
 * {@code url} → clicked; events about incoming mail produce nothing; an inbound message posted to
 * the tracking URL ({@code rcpt_to}) is refused with 400. Differences from anymail, on purpose:
 * {@code MessageLoaded} (Postal's open tracking) is {@code opened}, not unknown; {@code occurred_at}
 * keeps the milliseconds of the top-level {@code timestamp} (when Postal created the webhook for
 * the event; anymail truncates to whole seconds); {@code message_id} is Postal's per-recipient
 * message id as text; {@code metadata} is empty rather than null.
 */
public final class PostalProvider implements SynchronousProvider {
  private static final int MIN_KEY_BITS = 1024;
  private static final Map<String, EventType> STATUSES = Map.of(
      "Sent", EventType.DELIVERED,
      "SoftFail", EventType.DEFERRED,
      "HardFail", EventType.FAILED,
      "Held", EventType.QUEUED);

  private final String sourceId;
  private final List<PublicKey> keys;

  public PostalProvider(SourceConfig source) {
    this.sourceId = source.id();
    List<String> configured = source.settings().strings("public_keys");
    if (configured.isEmpty()) {
      throw new MissingCredentialsException(source.settings().key("public_keys"));
    }
    List<PublicKey> parsed = new ArrayList<>();
    for (int i = 0; i < configured.size(); i++) {
      parsed.add(rsaKey(source, configured.get(i), i));
    }
    this.keys = List.copyOf(parsed);
  }

  private static PublicKey rsaKey(SourceConfig source, String text, int index) {
    String key = source.settings().key("public_keys") + "[" + index + "]";
    try {
      PublicKey parsed = RsaPublicKeys.parse(text);
      if (((RSAPublicKey) parsed).getModulus().bitLength() < MIN_KEY_BITS) {
        throw ConfigException.invalid(key, "RSA key shorter than " + MIN_KEY_BITS + " bits");
      }
      return parsed;
    } catch (IllegalArgumentException e) {
      throw ConfigException.invalid(key, e.getMessage());
    }
  }

  @Override
  public String name() {
    return "postal";
  }

  @Override
  public boolean acceptsContentType(String mediaType) {
    return "application/json".equals(mediaType);
  }

  @Override
  public void verify(WebhookRequest request) {
    String sha256 = request.header("X-Postal-Signature-256");
    String sha1 = request.header("X-Postal-Signature");
    if (sha256 != null && !sha256.isBlank()) {
      verify(request, "SHA256withRSA", sha256, "X-Postal-Signature-256");
    } else if (sha1 != null && !sha1.isBlank()) {
      verify(request, "SHA1withRSA", sha1, "X-Postal-Signature");
    } else {
      throw WebhookException.unauthorized("X-Postal-Signature-256 and X-Postal-Signature headers missing");
    }
  }

  private void verify(WebhookRequest request, String algorithm, String header, String headerName) {
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(header.trim());
    } catch (IllegalArgumentException e) {
      throw WebhookException.unauthorized(headerName + " is not base64");
    }
    byte[] body = request.bodyBytes();
    for (PublicKey key : keys) {
      if (verifies(algorithm, key, body, signature)) {
        return;
      }
    }
    throw WebhookException.unauthorized(headerName + " does not verify with any public key");
  }

  private static boolean verifies(String algorithm, PublicKey key, byte[] body, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(key);
      verifier.update(body);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    JsonObject body = JsonFields.object(request.body());
    if (body.containsKey("rcpt_to")) {
      throw WebhookException.badRequest("an inbound message was posted to a Postal tracking source");
    }
    JsonObject payload = JsonFields.object(body, "payload");
    if (payload == null) {
      throw WebhookException.badRequest("payload is missing");
    }
    JsonObject message = JsonFields.object(payload, "message");
    if (message == null) {
      message = JsonFields.object(payload, "original_message");
    }
    if (message != null && "incoming".equals(JsonFields.text(message, "direction"))) {
      return List.of();
    }
    return List.of(toEvent(body, payload, message == null ? new JsonObject() : message));
  }

  private EmailEvent toEvent(JsonObject body, JsonObject payload, JsonObject message) {
    EventType type = type(JsonFields.text(body, "event"), payload);
    String tag = JsonFields.text(message, "tag");
    return EmailEvent.builder(sourceId, name())
        .eventKey(JsonFields.text(body, "uuid"))
        .type(type)
        .bounceType(type == EventType.BOUNCED ? bounceType(JsonFields.object(payload, "bounce")) : null)
        .rejectReason(type == EventType.BOUNCED ? RejectReason.BOUNCED : null)
        .occurredAt(occurredAt(body))
        .messageId(JsonFields.text(message, "id"))
        .recipient(AddressSpec.of(JsonFields.text(message, "to")))
        .sender(AddressSpec.of(JsonFields.text(message, "from")))
        .subject(JsonFields.text(message, "subject"))
        .tags(tag == null ? List.of() : List.of(tag))
        .clickUrl(JsonFields.text(payload, "url"))
        .userAgent(JsonFields.text(payload, "user_agent"))
        .ip(JsonFields.text(payload, "ip_address"))
        .mtaResponse(JsonFields.text(payload, "output"))
        .description(JsonFields.text(payload, "details"))
        .espEvent(body)
        .build();
  }

  private static EventType type(String event, JsonObject payload) {
    if (payload.containsKey("status")) {
      String status = JsonFields.text(payload, "status");
      return status == null ? EventType.UNKNOWN : STATUSES.getOrDefault(status, EventType.UNKNOWN);
    }
    if (payload.containsKey("bounce")) {
      return EventType.BOUNCED;
    }
    if (payload.containsKey("url")) {
      return EventType.CLICKED;
    }
    return "MessageLoaded".equals(event) ? EventType.OPENED : EventType.UNKNOWN;
  }

  private static BounceType bounceType(JsonObject bounce) {
    return "soft".equalsIgnoreCase(JsonFields.text(bounce, "bounce_type")) ? BounceType.SOFT : BounceType.HARD;
  }

  private static Instant occurredAt(JsonObject body) {
    String timestamp = JsonFields.text(body, "timestamp");
    if (timestamp == null) {
      throw WebhookException.badRequest("timestamp is missing");
    }
    try {
      return Timestamps.fromEpochSeconds(timestamp);
    } catch (DateTimeParseException e) {
      throw WebhookException.badRequest("timestamp is not unix seconds");
    }
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    return parse(StoredEventRequests.json(sourceId, espEvent, fallbackTime));
  }
}
