package io.emailgateway.api;

import io.emailgateway.quarantine.Reverifier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.Set;

/**
 * {@code GET /quarantine} (newest first, filters source and reason; headers as stored, that is
 * with credentials redacted; the body only by its size) and {@code POST /quarantine/{id}/reverify}.
 */
final class QuarantineApi {
  static final int MAX_LIMIT = 1000;
  private static final Set<String> PARAMS = Set.of("source", "reason", "since", "until", "limit", "cursor");

  private final Pool pool;
  private final Reverifier reverifier;

  QuarantineApi(Pool pool, Reverifier reverifier) {
    this.pool = pool;
    this.reverifier = reverifier;
  }

  void list(RoutingContext ctx) {
    Params params = Params.of(ctx, PARAMS);
    int limit = params.limit(100, MAX_LIMIT);
    JsonArray after = Cursor.decode(params.string("cursor"), 1);
    Where where = new Where()
        .and("source = $", params.string("source"))
        .and("reason = $", params.string("reason"))
        .and("received_at >= $", params.time("since"))
        .and("received_at < $", params.time("until"))
        .and("id < $", after == null ? null : after.getLong(0));
    String sql = "SELECT id, source, provider, reason, received_at, quarantined_at, remote_address, content_type,"
        + " headers, query_params, octet_length(body) AS body_bytes FROM quarantine" + where.sql()
        + " ORDER BY id DESC LIMIT " + where.next(limit + 1);
    pool.preparedQuery(sql).execute(where.values())
        .map(rows -> Page.of(rows, limit, QuarantineApi::json, row -> Cursor.encode(row.getLong("id"))))
        .onComplete(Json.reply(ctx));
  }

  void reverify(RoutingContext ctx) {
    long id = Params.id(ctx, "id");
    reverifier.reverify(id).map(outcome -> {
      if (!outcome.found()) {
        throw ApiException.notFound("no quarantined request with id " + id);
      }
      return outcome.body();
    }).onComplete(Json.reply(ctx));
  }

  private static JsonObject json(Row row) {
    return new JsonObject().put("id", row.getLong("id")).put("source", row.getString("source"))
        .put("provider", row.getString("provider")).put("reason", row.getString("reason"))
        .put("received_at", Json.time(row.getOffsetDateTime("received_at")))
        .put("quarantined_at", Json.time(row.getOffsetDateTime("quarantined_at")))
        .put("remote_address", row.getString("remote_address")).put("content_type", row.getString("content_type"))
        .put("headers", row.getJsonArray("headers")).put("query_params", row.getJsonArray("query_params"))
        .put("body_bytes", row.getInteger("body_bytes"));
  }
}
