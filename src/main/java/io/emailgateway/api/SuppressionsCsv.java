package io.emailgateway.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.Set;

/**
 * {@code GET /suppressions.csv}: the whole (filtered) list, streamed. Rows come from a
 * server-side cursor {@link #FETCH} at a time and go out as chunks; when the client reads slower
 * than PostgreSQL answers, the response's write queue fills and the cursor pauses until it
 * drains — so memory holds one fetch, whatever the size of the list. A failure after the first
 * byte resets the connection (the client sees a truncated download, never a short "complete" one).
 */
final class SuppressionsCsv {
  private static final int FETCH = 500;
  /** An export holds a connection of the admin pool for as long as the client reads; one at a time. */
  private static final int MAX_EXPORTS = 1;
  private static final Set<String> PARAMS = Set.of("reason", "source", "scope", "active");
  private static final String HEADER = "address,scope,reason,active,first_seen_at,last_seen_at,count,source,lifted_at\r\n";

  private final Pool pool;
  private int exports;

  SuppressionsCsv(Pool pool) {
    this.pool = pool;
  }

  void export(RoutingContext ctx) {
    Where where = SuppressionRows.filters(Params.of(ctx, PARAMS));
    String sql = "SELECT " + SuppressionRows.COLUMNS + " FROM suppressions s" + where.sql()
        + " ORDER BY s.address, s.scope, s.reason";
    if (exports >= MAX_EXPORTS) {
      ctx.response().putHeader("Retry-After", "10");
      throw ApiException.unavailable("another export is in progress, retry later");
    }
    exports++;
    ctx.addEndHandler(v -> exports--);
    pool.getConnection().onFailure(ctx::fail).onSuccess(conn -> conn.begin()
        .compose(tx -> conn.prepare(sql).map(statement -> {
          stream(ctx, conn, tx, statement.createStream(FETCH, where.values()));
          return null;
        }))
        .onFailure(error -> {
          conn.close();
          ctx.fail(error);
        }));
  }

  private void stream(RoutingContext ctx, SqlConnection conn, Transaction tx, RowStream<Row> rows) {
    HttpServerResponse response = ctx.response().setChunked(true)
        .putHeader("Content-Type", "text/csv; charset=utf-8")
        .putHeader("Content-Disposition", "attachment; filename=\"suppressions.csv\"");
    response.write(HEADER);
    Runnable release = once(() -> rows.close().eventually(() -> tx.commit()).eventually(() -> conn.close()));
    response.closeHandler(v -> release.run());
    rows.exceptionHandler(error -> {
      release.run();
      ctx.fail(error);
    });
    rows.endHandler(v -> {
      release.run();
      response.end();
    });
    rows.handler(row -> {
      response.write(line(row));
      if (response.writeQueueFull()) {
        rows.pause();
        response.drainHandler(drained -> rows.resume());
      }
    });
  }

  private static String line(Row row) {
    return String.join(",", cell(row.getString("address")), cell(row.getString("scope")), cell(row.getString("reason")),
        String.valueOf(row.getBoolean("active")), cell(Json.time(row.getOffsetDateTime("first_seen_at"))),
        cell(Json.time(row.getOffsetDateTime("last_seen_at"))), String.valueOf(row.getLong("count")),
        cell(row.getString("source")), cell(Json.time(row.getOffsetDateTime("lifted_at")))) + "\r\n";
  }

  /**
   * RFC 4180 quoting; a cell that a spreadsheet would read as a formula (=, +, -, @) is prefixed
   * with an apostrophe, since these addresses come from the outside world.
   */
  static String cell(String value) {
    if (value == null) {
      return "";
    }
    String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    boolean quote = safe.indexOf(',') >= 0 || safe.indexOf('"') >= 0 || safe.indexOf('\n') >= 0 || safe.indexOf('\r') >= 0;
    return quote ? '"' + safe.replace("\"", "\"\"") + '"' : safe;
  }

  private static Runnable once(java.util.function.Supplier<Future<?>> action) {
    boolean[] done = {false};
    return () -> {
      if (!done[0]) {
        done[0] = true;
        action.get();
      }
    };
  }
}
