package io.emailgateway.api;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.Set;

/** The suppression columns the API reads, their JSON form, and the filters shared by the listing and the CSV export. */
final class SuppressionRows {
  static final String COLUMNS = "s.address, s.scope, s.reason, s.active, s.first_seen_at, s.last_seen_at, s.count,"
      + " s.source, s.event_id, s.lifted_at, s.lifted_by_event_id, s.updated_at";
  static final Set<String> REASONS = Set.of("hard_bounce", "soft_bounce", "complaint", "unsubscribe", "invalid");

  private SuppressionRows() {}

  static JsonObject json(Row row) {
    return new JsonObject().put("address", row.getString("address")).put("scope", row.getString("scope"))
        .put("reason", row.getString("reason")).put("active", row.getBoolean("active"))
        .put("first_seen_at", Json.time(row.getOffsetDateTime("first_seen_at")))
        .put("last_seen_at", Json.time(row.getOffsetDateTime("last_seen_at")))
        .put("count", row.getLong("count")).put("source", row.getString("source"))
        .put("event_id", row.getLong("event_id"))
        .put("lifted_at", Json.time(row.getOffsetDateTime("lifted_at")))
        .put("lifted_by_event_id", row.getLong("lifted_by_event_id"))
        .put("updated_at", Json.time(row.getOffsetDateTime("updated_at")));
  }

  /**
   * The filters of {@code GET /suppressions} and {@code GET /suppressions.csv}: reason, source,
   * scope and active (default {@code true}: the list as senders see it; {@code false}: lifted rows).
   */
  static Where filters(Params params) {
    Boolean active = params.bool("active");
    return new Where()
        .and("s.reason = $", params.oneOf("reason", REASONS))
        .and("s.source = $", params.string("source"))
        .and("s.scope = $", params.string("scope"))
        .and("s.active = $", active == null ? Boolean.TRUE : active);
  }
}
