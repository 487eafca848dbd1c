package io.emailgateway.handler.forward;

import io.vertx.core.json.JsonObject;

/**
 * One claimed delivery: the row, the attempt that owns it (also its claim token) and the
 * normalized event to send.
 */
record Delivery(long id, int attempt, long eventId, JsonObject event) {}
