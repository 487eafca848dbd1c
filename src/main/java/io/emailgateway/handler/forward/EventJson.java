package io.emailgateway.handler.forward;

import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * A stored event as the normalized event JSON (DESIGN.md "Normalized event"): the body of a
 * forwarded request, and what the admin API answers for an event.
 */
public final class EventJson {
  /** The events columns a forwarded body needs, for the claim's RETURNING list. */
  public static final String COLUMNS = "e.id AS event_id, e.source, e.provider, e.event_key, e.type, e.bounce_type, "
      + "e.reject_reason, e.occurred_at, e.received_at, e.message_id, e.recipient, e.sender, e.subject, e.tags, "
      + "e.metadata, e.click_url, e.user_agent, e.ip, e.mta_response, e.description, e.esp_event";

  private EventJson() {}

  public static JsonObject from(Row row) {
    String[] tags = row.getArrayOfStrings("tags");
    return new JsonObject()
        .put("id", row.getLong("event_id"))
        .put("source", row.getString("source"))
        .put("provider", row.getString("provider"))
        .put("event_key", row.getString("event_key"))
        .put("type", row.getString("type"))
        .put("bounce_type", row.getString("bounce_type"))
        .put("reject_reason", row.getString("reject_reason"))
        .put("occurred_at", time(row.getOffsetDateTime("occurred_at")))
        .put("received_at", time(row.getOffsetDateTime("received_at")))
        .put("message_id", row.getString("message_id"))
        .put("recipient", row.getString("recipient"))
        .put("sender", row.getString("sender"))
        .put("subject", row.getString("subject"))
        .put("tags", new JsonArray(tags == null ? List.of() : Arrays.asList(tags)))
        .put("metadata", row.getJsonObject("metadata"))
        .put("click_url", row.getString("click_url"))
        .put("user_agent", row.getString("user_agent"))
        .put("ip", row.getString("ip"))
        .put("mta_response", row.getString("mta_response"))
        .put("description", row.getString("description"))
        .put("esp_event", row.getJsonObject("esp_event"));
  }

  private static String time(OffsetDateTime time) {
    return time == null ? null : Timestamps.format(time.toInstant());
  }
}
