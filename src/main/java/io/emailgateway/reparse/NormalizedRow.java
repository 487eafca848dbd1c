package io.emailgateway.reparse;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.store.EventStore;
import io.emailgateway.store.JsonText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The normalized columns a parser decides — everything but the identity ({@code id}, source,
 * provider, event_key), {@code received_at} and {@code esp_event} — as the database holds them, so
 * a stored row and a re-parsed event compare field by field: strings without NUL and the
 * timestamp at microseconds (what PostgreSQL keeps), metadata as the JSON the store writes.
 */
record NormalizedRow(JsonObject fields, Instant occurredAt) {
  static final List<String> COLUMNS = List.of("type", "bounce_type", "reject_reason", "occurred_at", "message_id",
      "recipient", "sender", "subject", "tags", "metadata", "click_url", "user_agent", "ip", "mta_response",
      "description");
  private static final List<String> TEXT_COLUMNS = List.of("type", "bounce_type", "reject_reason", "message_id",
      "recipient", "sender", "subject", "click_url", "user_agent", "ip", "mta_response", "description");

  static NormalizedRow of(ResultSet row) throws SQLException {
    JsonObject fields = new JsonObject();
    for (String column : TEXT_COLUMNS) {
      fields.put(column, row.getString(column));
    }
    Instant occurredAt = row.getObject("occurred_at", OffsetDateTime.class).toInstant();
    fields.put("occurred_at", occurredAt.toString());
    Array tags = row.getArray("tags");
    fields.put("tags", new JsonArray(tags == null ? List.of() : Arrays.asList((Object[]) tags.getArray())));
    fields.put("metadata", new JsonObject(row.getString("metadata")));
    return new NormalizedRow(fields, occurredAt);
  }

  static NormalizedRow of(EmailEvent event) {
    JsonObject json = event.toJson();
    JsonObject fields = new JsonObject();
    for (String column : TEXT_COLUMNS) {
      fields.put(column, EventStore.stripNul(json.getString(column)));
    }
    Instant occurredAt = event.occurredAt().truncatedTo(ChronoUnit.MICROS);
    fields.put("occurred_at", occurredAt.toString());
    List<Object> tags = new ArrayList<>();
    event.tags().forEach(tag -> tags.add(EventStore.stripNul(tag)));
    fields.put("tags", new JsonArray(tags));
    fields.put("metadata", new JsonObject(JsonText.encode(event.metadata())));
    return new NormalizedRow(fields, occurredAt);
  }

  /** The columns whose values differ, in column order; empty when the row is what the parser makes. */
  List<String> differences(NormalizedRow other) {
    return COLUMNS.stream().filter(c -> !java.util.Objects.equals(fields.getValue(c), other.fields.getValue(c))).toList();
  }

  String text(String column) {
    return fields.getString(column);
  }

  String[] tags() {
    return fields.getJsonArray("tags").stream().map(String::valueOf).toArray(String[]::new);
  }

  String metadataJson() {
    return fields.getJsonObject("metadata").encode();
  }
}
