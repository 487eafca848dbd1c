package io.emailgateway.bench;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * One request ready to send: body and headers signed as the ESP signs them, and how many events it
 * carries. Its event keys are {@code run-index} followed by nothing, {@code -…} or {@code :…}
 * ({@link StoredEvents} counts them per request).
 */
record Presigned(Buffer body, MultiMap headers, int events) {}
