package io.emailgateway.api;

import io.emailgateway.store.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Set;

/**
 * Dead work, both kinds in one listing: events whose handlers failed {@code handlers.max_attempts}
 * times ({@code handler-<event id>}) and forwards a destination refused until their budget ran
 * out ({@code delivery-<delivery id>}). Retry puts them back to work with a fresh budget — the
 * handler kind through {@code replay_dead_events()}, the delivery kind back to pending — and
 * wakes the workers, which would find them on their next poll anyway.
 */
final class DeadApi {
  static final int MAX_LIMIT = 1000;
  private static final Set<String> FILTERS = Set.of("kind", "destination", "source", "since", "until");
  private static final Set<String> LIST_PARAMS = Set.of("kind", "destination", "source", "since", "until", "limit", "cursor");
  private static final String DEAD = """
      (SELECT 'handler' AS kind, h.event_id AS ref, NULL::text AS destination, h.event_id, e.source, h.attempts,
              h.last_error, NULL::integer AS last_status, h.parked_at AS dead_at
         FROM handler_dead_events h LEFT JOIN events e ON e.id = h.event_id
       UNION ALL
       SELECT 'delivery', d.id, d.destination, d.event_id, e.source, d.attempts, d.last_error, d.last_status,
              coalesce(d.dead_at, d.created_at)
         FROM deliveries d LEFT JOIN events e ON e.id = d.event_id
        WHERE d.state = 'dead') AS dead""";
  private static final String RETRY_DELIVERY = "UPDATE deliveries SET state = 'pending', attempts = 0,"
      + " next_attempt_at = now(), dead_at = NULL WHERE state = 'dead' AND id = ANY ($1::bigint[])";

  private final Vertx vertx;
  private final Pool pool;

  DeadApi(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  void list(RoutingContext ctx) {
    Params params = Params.of(ctx, LIST_PARAMS);
    int limit = params.limit(100, MAX_LIMIT);
    JsonArray after = Cursor.decode(params.string("cursor"), 3);
    Where where = filters(params);
    if (after != null) {
      where.andAll("(dead.dead_at, dead.kind, dead.ref) > (?1, ?2, ?3)", time(after.getString(0)),
          after.getString(1), after.getLong(2));
    }
    String sql = "SELECT * FROM " + DEAD + where.sql() + " ORDER BY dead.dead_at, dead.kind, dead.ref LIMIT "
        + where.next(limit + 1);
    pool.preparedQuery(sql).execute(where.values())
        .map(rows -> Page.of(rows, limit, DeadApi::json, row -> Cursor.encode(
            row.getOffsetDateTime("dead_at").toString(), row.getString("kind"), row.getLong("ref"))))
        .onComplete(Json.reply(ctx));
  }

  void retryOne(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    int dash = id.indexOf('-');
    String kind = dash < 0 ? "" : id.substring(0, dash);
    long ref;
    try {
      ref = Long.parseLong(id.substring(dash + 1));
    } catch (NumberFormatException e) {
      throw ApiException.badParameter("id", "expected handler-<event id> or delivery-<delivery id>");
    }
    String sql = switch (kind) {
      case "handler" -> "SELECT replay_dead_events(ARRAY[$1]::bigint[]) AS n";
      case "delivery" -> "WITH d AS (" + RETRY_DELIVERY.replace("ANY ($1::bigint[])", "$1") + " RETURNING 1)"
          + " SELECT count(*)::integer AS n FROM d";
      default -> throw ApiException.badParameter("id", "expected handler-<event id> or delivery-<delivery id>");
    };
    pool.preparedQuery(sql).execute(Tuple.of(ref)).map(rows -> {
      if (rows.iterator().next().getInteger("n") == 0) {
        throw ApiException.notFound("no dead item " + id);
      }
      wake();
      return new JsonObject().put("id", id).put("retried", true);
    }).onComplete(Json.reply(ctx));
  }

  /** Retries every dead item matching the filters (none: all of them). */
  void retryAll(RoutingContext ctx) {
    Where where = filters(Params.of(ctx, FILTERS));
    String sql = "WITH matched AS (SELECT kind, ref FROM " + DEAD + where.sql() + "),"
        + " h AS (SELECT replay_dead_events(coalesce((SELECT array_agg(ref) FROM matched WHERE kind = 'handler'),"
        + " '{}')) AS n),"
        + " d AS (" + RETRY_DELIVERY.replace("$1::bigint[]",
            "coalesce((SELECT array_agg(ref) FROM matched WHERE kind = 'delivery'), '{}')")
        + " RETURNING 1)"
        + " SELECT (SELECT n FROM h) AS handler, (SELECT count(*) FROM d)::integer AS delivery";
    pool.preparedQuery(sql).execute(where.values()).map(rows -> {
      Row row = rows.iterator().next();
      wake();
      return new JsonObject().put("retried", new JsonObject().put("handler", row.getInteger("handler"))
          .put("delivery", row.getInteger("delivery")));
    }).onComplete(Json.reply(ctx));
  }

  private static java.time.OffsetDateTime time(String cursorValue) {
    try {
      return java.time.OffsetDateTime.parse(cursorValue);
    } catch (java.time.format.DateTimeParseException e) {
      throw ApiException.badParameter("cursor", "malformed cursor");
    }
  }

  private static Where filters(Params params) {
    return new Where()
        .and("dead.kind = $", params.oneOf("kind", Set.of("handler", "delivery")))
        .and("dead.destination = $", params.string("destination"))
        .and("dead.source = $", params.string("source"))
        .and("dead.dead_at >= $", params.time("since"))
        .and("dead.dead_at < $", params.time("until"));
  }

  private void wake() {
    vertx.eventBus().publish(Addresses.EVENTS_STORED, 0);
    vertx.eventBus().publish(Addresses.DELIVERIES_QUEUED, 0);
  }

  private static JsonObject json(Row row) {
    return new JsonObject().put("id", row.getString("kind") + "-" + row.getLong("ref")).put("kind", row.getString("kind"))
        .put("event_id", row.getLong("event_id")).put("source", row.getString("source"))
        .put("destination", row.getString("destination")).put("attempts", row.getInteger("attempts"))
        .put("last_status", row.getInteger("last_status")).put("last_error", row.getString("last_error"))
        .put("dead_at", Json.time(row.getOffsetDateTime("dead_at")));
  }
}
