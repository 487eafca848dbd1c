package io.emailgateway.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * {@code GET /stats}: event counts by source and type over [since, until) by event time, and per
 * sending domain the delivered/bounced/complained counts with bounce rate (bounced / (delivered +
 * bounced)) and complaint rate (complained / delivered) from the hourly deliverability table —
 * so the range is widened to whole hours there. Default range: the last 24 hours; at most 92 days.
 */
final class StatsApi {
  private static final Set<String> PARAMS = Set.of("since", "until", "source");
  private static final Duration MAX_RANGE = Duration.ofDays(92);

  private final Pool pool;

  StatsApi(Pool pool) {
    this.pool = pool;
  }

  void get(RoutingContext ctx) {
    Params params = Params.of(ctx, PARAMS);
    OffsetDateTime until = params.time("until") == null ? OffsetDateTime.now(ZoneOffset.UTC) : params.time("until");
    OffsetDateTime since = params.time("since") == null ? until.minusHours(24) : params.time("since");
    if (!since.isBefore(until) || Duration.between(since, until).compareTo(MAX_RANGE) > 0) {
      throw ApiException.badParameter("since", "must be before until, at most 92 days earlier");
    }
    String source = params.string("source");
    Where counts = new Where().and("occurred_at >= $", since).and("occurred_at < $", until).and("source = $", source);
    Where rates = new Where().and("bucket_start >= date_trunc('hour', $::timestamptz)", since)
        .and("bucket_start < $", until).and("source = $", source);
    Future.all(
            pool.preparedQuery("SELECT source, type, count(*) AS n FROM events" + counts.sql()
                + " GROUP BY source, type ORDER BY source, type").execute(counts.values()),
            pool.preparedQuery("SELECT domain, sum(delivered)::bigint AS delivered, sum(bounced)::bigint AS bounced,"
                + " sum(complained)::bigint AS complained FROM deliverability" + rates.sql()
                + " GROUP BY domain ORDER BY domain").execute(rates.values()))
        .map(both -> new JsonObject().put("since", Json.time(since)).put("until", Json.time(until))
            .put("source", source).put("counts", counts(both.resultAt(0))).put("domains", domains(both.resultAt(1))))
        .onComplete(Json.reply(ctx));
  }

  private static JsonArray counts(RowSet<Row> rows) {
    JsonArray counts = new JsonArray();
    for (Row row : rows) {
      counts.add(new JsonObject().put("source", row.getString("source")).put("type", row.getString("type"))
          .put("count", row.getLong("n")));
    }
    return counts;
  }

  private static JsonArray domains(RowSet<Row> rows) {
    JsonArray domains = new JsonArray();
    for (Row row : rows) {
      long delivered = row.getLong("delivered");
      long bounced = row.getLong("bounced");
      long complained = row.getLong("complained");
      domains.add(new JsonObject().put("domain", row.getString("domain")).put("delivered", delivered)
          .put("bounced", bounced).put("complained", complained)
          .put("bounce_rate", delivered + bounced == 0 ? null : (double) bounced / (delivered + bounced))
          .put("complaint_rate", delivered == 0 ? null : (double) complained / delivered));
    }
    return domains;
  }
}
