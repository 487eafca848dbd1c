package io.emailgateway.api;

import io.emailgateway.event.EventType;
import io.emailgateway.handler.forward.EventJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET /events} (filters, keyset pagination newest first by id) and {@code GET /events/{id}}.
 * Ordering by the id alone keeps pages stable: an id never changes and events stored while a
 * client pages get higher ids, so they never shift the pages it has still to read.
 */
final class EventsApi {
  static final int MAX_LIMIT = 1000;
  private static final Set<String> FILTERS = Set.of("source", "provider", "type", "recipient", "message_id", "since",
      "until", "limit", "cursor");
  private static final Set<String> TYPES = Arrays.stream(EventType.values()).map(EventType::wireName)
      .collect(Collectors.toUnmodifiableSet());
  private static final String LIST_COLUMNS = EventJson.COLUMNS.replace("e.esp_event", "NULL::jsonb AS esp_event");

  private final Pool pool;

  EventsApi(Pool pool) {
    this.pool = pool;
  }

  void list(RoutingContext ctx) {
    Params params = Params.of(ctx, FILTERS);
    int limit = params.limit(100, MAX_LIMIT);
    JsonArray after = Cursor.decode(params.string("cursor"), 1);
    String recipient = params.string("recipient");
    Where where = new Where()
        .and("e.source = $", params.string("source"))
        .and("e.provider = $", params.string("provider"))
        .and("e.type = $", params.oneOf("type", TYPES))
        .and("e.recipient = $", recipient == null ? null : recipient.toLowerCase(Locale.ROOT))
        .and("e.message_id = $", params.string("message_id"))
        .and("e.occurred_at >= $", params.time("since"))
        .and("e.occurred_at < $", params.time("until"))
        .and("e.id < $", after == null ? null : after.getLong(0));
    String sql = "SELECT " + LIST_COLUMNS + " FROM events e" + where.sql() + " ORDER BY e.id DESC LIMIT "
        + where.next(limit + 1);
    pool.preparedQuery(sql).execute(where.values())
        .map(rows -> Page.of(rows, limit, EventsApi::withoutEspEvent,
            row -> Cursor.encode(row.getLong("event_id"))))
        .onComplete(Json.reply(ctx));
  }

  /** A listing leaves the provider's original event out; {@code GET /events/{id}} has it. */
  private static JsonObject withoutEspEvent(Row row) {
    JsonObject event = EventJson.from(row);
    event.remove("esp_event");
    return event;
  }

  void get(RoutingContext ctx) {
    long id = Params.id(ctx, "id");
    pool.preparedQuery("SELECT " + EventJson.COLUMNS + " FROM events e WHERE e.id = $1").execute(Tuple.of(id))
        .map(rows -> {
          if (rows.size() == 0) {
            throw ApiException.notFound("no event with id " + id);
          }
          return EventJson.from(rows.iterator().next());
        })
        .onComplete(Json.reply(ctx));
  }
}
