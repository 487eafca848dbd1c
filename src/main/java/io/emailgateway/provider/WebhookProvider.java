package io.emailgateway.provider;

import io.emailgateway.event.EmailEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * One ESP's webhook: how it proves a request is authentic and how its events map to the
 * normalized model. One instance per configured source, holding that source's credentials.
 * Both methods run on the event loop: CPU work only, anything slower returns a future.
 */
public interface WebhookProvider {

  /** The provider name used in configuration and in every stored event. */
  String name();

  /** Whether the ESP ever sends this media type (lower-case, without parameters); else 415. */
  boolean acceptsContentType(String mediaType);

  /**
   * Proves the request came from the ESP, over the raw body bytes. Fails with a
   * {@link WebhookException} of status 401 (or 400 when the request is not this ESP's shape at
   * all); the reason is logged and counted, never sent to the caller.
   */
  Future<Void> authenticate(WebhookRequest request);

  /**
   * Normalizes every event of an authenticated request, in the order the ESP sent them. Throws
   * {@link WebhookException} 400 naming what is wrong. An empty list is a valid answer (a ping,
   * a subscription notice).
   */
  List<EmailEvent> parse(WebhookRequest request);

  /**
   * The nonce of this request when the ESP's scheme has one (Mailgun's token, a Standard Webhooks
   * message id) — called only after {@link #authenticate} succeeded. The gateway remembers it once
   * the request is stored and answers a replay as a duplicate without touching the database.
   */
  default String replayNonce(WebhookRequest request) {
    return null;
  }

  /**
   * Whether the ESP retries a 4xx answer. Amazon SNS does not (REFERENCE.md §6.6), so for it a
   * transient refusal such as a rate limit must be a 503, or the event would be lost.
   */
  default boolean retriesClientErrors() {
    return true;
  }

  /**
   * The version of this provider's mapping, stored with every event it produces. Bump it when a
   * change to {@link #parse} changes the normalized fields of events already stored, so operators
   * can see which rows a re-parse (README "Re-parse") would touch.
   */
  default int parserVersion() {
    return 1;
  }

  /**
   * Normalizes one stored ESP event again with the current mapping: {@code espEvent} is exactly
   * what {@link #parse} put into {@link EmailEvent#espEvent()}, {@code eventKey} the key it was
   * stored under (for ESPs whose key came from a request header rather than the event), and
   * {@code fallbackTime} the time to use where the ESP event carries none (the stored
   * {@code occurred_at}: the request-level time the first parse fell back to is not stored). Returns
   * every event the ESP event maps to (several where one ESP record fans out per recipient, as
   * SES does; the caller picks the stored key), or throws {@link WebhookException} when the
   * current mapping refuses it. Implementations rebuild the smallest request their
   * {@link #parse} accepts, so there is one mapping, not two.
   */
  default List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    throw new UnsupportedOperationException("provider " + name() + " cannot re-parse stored events");
  }
}
