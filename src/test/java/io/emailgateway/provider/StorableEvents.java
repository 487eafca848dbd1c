package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.EmailEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What PostgreSQL will take in one row of {@code events}: indexed text short enough for a btree
 * entry (about 2.7 kB; the gateway keeps each indexed value within 1 kB), an {@code occurred_at}
 * inside the years timestamptz holds (anything outside silently becomes ±infinity), and an
 * ESP event that serializes. One event outside these would fail its whole group commit, and
 * every retry of it, with a 503 forever.
 */
final class StorableEvents {
  static final int INDEXED_BYTES = 1024;
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  private StorableEvents() {}

  static void assertStorable(EmailEvent event, String what) {
    assertThat(bytes(event.eventKey())).as(what + ": event_key bytes").isLessThanOrEqualTo(INDEXED_BYTES);
    assertThat(bytes(event.recipient())).as(what + ": recipient bytes").isLessThanOrEqualTo(INDEXED_BYTES);
    assertThat(bytes(event.messageId())).as(what + ": message_id bytes").isLessThanOrEqualTo(INDEXED_BYTES);
    assertThat(event.occurredAt()).as(what + ": occurred_at").isBetween(EARLIEST, LATEST);
    assertThat(event.toJson().encode()).as(what + ": encodes").isNotEmpty();
  }

  private static int bytes(String value) {
    return value == null ? 0 : value.getBytes(StandardCharsets.UTF_8).length;
  }
}
