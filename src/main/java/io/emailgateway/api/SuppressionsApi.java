package io.emailgateway.api;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Locale;
import java.util.Set;

/**
 * The suppression list by hand: look one address up, list, add (PUT, with a reason) and lift
 * (DELETE). Every change made here is recorded in {@code suppression_changes} in the same
 * transaction. A hand-added row has source {@code admin}; a lift sets {@code lifted_at} so that
 * only a suppressing event that happens later makes the address suppressed again.
 */
final class SuppressionsApi {
  static final int MAX_LIMIT = 1000;
  private static final Set<String> LIST_PARAMS = Set.of("reason", "source", "scope", "active", "limit", "cursor");
  private static final Set<String> LIFT_PARAMS = Set.of("reason", "scope", "note");
  private static final String ONE = "SELECT " + SuppressionRows.COLUMNS + " FROM suppressions s WHERE s.address = $1"
      + " ORDER BY s.scope, s.reason";
  private static final String CHANGES = "SELECT scope, reason, action, note, changed_at FROM suppression_changes"
      + " WHERE address = $1 ORDER BY changed_at, id";
  private static final String ADD = """
      INSERT INTO suppressions AS s (address, scope, reason, first_seen_at, last_seen_at, count, source)
      VALUES ($1, $2, $3, now(), now(), 1, 'admin')
      ON CONFLICT (address, scope, reason) DO UPDATE
         SET first_seen_at = coalesce(s.first_seen_at, now()),
             last_seen_at = greatest(now(), s.last_seen_at, s.lifted_at + interval '1 millisecond'),
             count = s.count + 1, updated_at = now()
      RETURNING\s""" + SuppressionRows.COLUMNS;
  private static final String LIFT = "UPDATE suppressions s SET lifted_at = greatest(now(), s.last_seen_at),"
      + " lifted_by_event_id = NULL, updated_at = now()";
  private static final String RECORD = "INSERT INTO suppression_changes (address, scope, reason, action, note)"
      + " SELECT $1, x.scope, x.reason, $2, $3 FROM unnest($4::text[], $5::text[]) AS x(scope, reason)";

  private final Pool pool;

  SuppressionsApi(Pool pool) {
    this.pool = pool;
  }

  void get(RoutingContext ctx) {
    String address = address(ctx);
    Tuple key = Tuple.of(address);
    Future.all(pool.preparedQuery(ONE).execute(key), pool.preparedQuery(CHANGES).execute(key))
        .map(both -> {
          RowSet<Row> rows = both.resultAt(0);
          RowSet<Row> changes = both.resultAt(1);
          if (rows.size() == 0 && changes.size() == 0) {
            throw ApiException.notFound("no suppression for " + address);
          }
          JsonArray entries = new JsonArray();
          boolean suppressed = false;
          for (Row row : rows) {
            entries.add(SuppressionRows.json(row));
            suppressed |= row.getBoolean("active");
          }
          return new JsonObject().put("address", address).put("suppressed", suppressed).put("entries", entries)
              .put("changes", changes(changes));
        })
        .onComplete(Json.reply(ctx));
  }

  void list(RoutingContext ctx) {
    Params params = Params.of(ctx, LIST_PARAMS);
    int limit = params.limit(100, MAX_LIMIT);
    JsonArray after = Cursor.decode(params.string("cursor"), 3);
    Where where = SuppressionRows.filters(params);
    if (after != null) {
      where.andAll("(s.address, s.scope, s.reason) > (?1, ?2, ?3)", after.getString(0), after.getString(1), after.getString(2));
    }
    String sql = "SELECT " + SuppressionRows.COLUMNS + " FROM suppressions s" + where.sql()
        + " ORDER BY s.address, s.scope, s.reason LIMIT " + where.next(limit + 1);
    pool.preparedQuery(sql).execute(where.values())
        .map(rows -> Page.of(rows, limit, SuppressionRows::json,
            row -> Cursor.encode(row.getString("address"), row.getString("scope"), row.getString("reason"))))
        .onComplete(Json.reply(ctx));
  }

  void put(RoutingContext ctx) {
    String address = address(ctx);
    JsonObject body = body(ctx);
    String reason = text(body, "reason");
    if (reason == null || !SuppressionRows.REASONS.contains(reason)) {
      throw ApiException.badParameter("reason", "required, one of " + String.join(", ", SuppressionRows.REASONS.stream().sorted().toList()));
    }
    String scope = text(body, "scope") == null ? "*" : text(body, "scope");
    String note = text(body, "note");
    pool.withTransaction(conn -> conn.preparedQuery(ADD).execute(Tuple.of(address, scope, reason))
            .compose(rows -> record(conn, address, "added", note, new String[] {scope}, new String[] {reason}).map(rows)))
        .map(rows -> SuppressionRows.json(rows.iterator().next()))
        .onComplete(Json.reply(ctx));
  }

  void delete(RoutingContext ctx) {
    String address = address(ctx);
    Params params = Params.of(ctx, LIFT_PARAMS);
    Where where = new Where().and("s.address = $", address)
        .and("s.reason = $", params.oneOf("reason", SuppressionRows.REASONS)).and("s.scope = $", params.string("scope"));
    String sql = LIFT + where.sql() + " AND s.active RETURNING s.scope, s.reason";
    pool.withTransaction(conn -> conn.preparedQuery(sql).execute(where.values()).compose(rows -> lifted(conn, address,
            params.string("note"), rows)))
        .map(lifted -> {
          if (lifted.isEmpty()) {
            throw ApiException.notFound("no active suppression for " + address + " matching the filters");
          }
          return new JsonObject().put("address", address).put("lifted", lifted);
        })
        .onComplete(Json.reply(ctx));
  }

  private Future<JsonArray> lifted(SqlConnection conn, String address, String note, RowSet<Row> rows) {
    JsonArray lifted = new JsonArray();
    String[] scopes = new String[rows.size()];
    String[] reasons = new String[rows.size()];
    int i = 0;
    for (Row row : rows) {
      scopes[i] = row.getString("scope");
      reasons[i++] = row.getString("reason");
      lifted.add(new JsonObject().put("scope", row.getString("scope")).put("reason", row.getString("reason")));
    }
    return rows.size() == 0 ? Future.succeededFuture(lifted)
        : record(conn, address, "lifted", note, scopes, reasons).map(lifted);
  }

  private static Future<Void> record(SqlConnection conn, String address, String action, String note, String[] scopes,
      String[] reasons) {
    return conn.preparedQuery(RECORD).execute(Tuple.of(address, action, note, scopes, reasons)).mapEmpty();
  }

  private static JsonArray changes(RowSet<Row> rows) {
    JsonArray changes = new JsonArray();
    for (Row row : rows) {
      changes.add(new JsonObject().put("scope", row.getString("scope")).put("reason", row.getString("reason"))
          .put("action", row.getString("action")).put("note", row.getString("note"))
          .put("changed_at", Json.time(row.getOffsetDateTime("changed_at"))));
    }
    return changes;
  }

  private static String address(RoutingContext ctx) {
    String address = ctx.pathParam("address").trim().toLowerCase(Locale.ROOT);
    if (address.isEmpty() || address.length() > 320 || !address.contains("@")) {
      throw ApiException.badParameter("address", "expected an email address");
    }
    return address;
  }

  private static String text(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw ApiException.badParameter(field, "expected a string");
    }
    return value == null || ((String) value).isBlank() ? null : ((String) value).trim();
  }

  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw ApiException.badParameter("body", "expected a JSON object such as {\"reason\":\"complaint\"}");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      throw ApiException.badParameter("body", "expected a JSON object such as {\"reason\":\"complaint\"}");
    }
  }
}
