package io.emailgateway.handler;

import io.emailgateway.config.HandlerSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from the database every {@code handlers.metrics_interval}: outbox depth and age of
 * its oldest row (the handlers' lag), dead events, pending and dead deliveries per destination,
 * and the deliverability counts and rates of the busiest {@code metrics_top_pairs} (domain,
 * source) pairs over {@code metrics_window}; every other domain of a source is summed under
 * domain {@code _other}, so the label set stays bounded however many sending domains appear.
 * Every gateway instance exports the same database-wide values: aggregate with max(), not sum().
 */
public final class LagMonitorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LagMonitorVerticle.class);

  static final String OUTBOX = """
      SELECT count(*) AS rows, coalesce(sum(cardinality(event_ids)), 0) AS events,
             count(*) FILTER (WHERE attempts > 0) AS retrying,
             coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_age,
             (SELECT count(*) FROM handler_dead_events) AS dead
        FROM outbox""";

  static final String DELIVERIES = """
      SELECT destination, count(*) FILTER (WHERE state = 'pending') AS pending,
             count(*) FILTER (WHERE state = 'dead') AS dead,
             coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE state = 'pending')), 0)::float8 AS oldest_age
        FROM deliveries
       GROUP BY destination""";

  static final String DELIVERABILITY = """
      WITH totals AS (
          SELECT domain, source, sum(delivered) AS delivered, sum(bounced) AS bounced, sum(complained) AS complained
            FROM deliverability
           WHERE bucket_start >= date_trunc('hour', now() - $1::bigint * interval '1 millisecond', 'UTC')
           GROUP BY domain, source
      ), ranked AS (
          SELECT t.*, row_number() OVER (ORDER BY delivered + bounced + complained DESC, domain, source) AS rank
            FROM totals t
      )
      SELECT CASE WHEN rank <= $2::int THEN domain ELSE '_other' END AS domain, source,
             sum(delivered)::bigint AS delivered, sum(bounced)::bigint AS bounced, sum(complained)::bigint AS complained
        FROM ranked
       GROUP BY 1, 2""";

  private final Pool pool;
  private final HandlerSettings settings;
  private final MeterRegistry registry;
  private volatile double outboxRows;
  private volatile double outboxEvents;
  private volatile double outboxRetrying;
  private volatile double outboxOldestAge;
  private volatile double deadEvents;
  private MultiGauge pending;
  private MultiGauge deadDeliveries;
  private MultiGauge pendingAge;
  private MultiGauge deliverabilityEvents;
  private MultiGauge bounceRate;
  private MultiGauge complaintRate;
  private long timer;
  private boolean refreshing;

  public LagMonitorVerticle(Pool pool, HandlerSettings settings, MeterRegistry registry) {
    this.pool = pool;
    this.settings = settings;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    registerGauges();
    timer = vertx.setPeriodic(1, settings.metricsInterval().toMillis(), id -> refresh());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void registerGauges() {
    gauge("gateway.outbox.rows", "Outbox rows (committed batches) not yet handled", m -> m.outboxRows, null);
    gauge("gateway.outbox.events", "Events in the outbox not yet handled", m -> m.outboxEvents, null);
    gauge("gateway.outbox.retrying.rows", "Outbox rows of failed events waiting for their retry", m -> m.outboxRetrying, null);
    gauge("gateway.outbox.oldest.age", "Age of the oldest outbox row: how far the handlers lag", m -> m.outboxOldestAge,
        "seconds");
    gauge("gateway.handler.dead.events", "Events parked after handlers.max_attempts failures", m -> m.deadEvents, null);
    pending = MultiGauge.builder("gateway.forward.pending").description("Deliveries waiting to be sent").register(registry);
    deadDeliveries = MultiGauge.builder("gateway.forward.dead").description("Dead-lettered deliveries").register(registry);
    pendingAge = MultiGauge.builder("gateway.forward.oldest.pending.age").baseUnit("seconds")
        .description("Age of the oldest pending delivery").register(registry);
    deliverabilityEvents = MultiGauge.builder("gateway.deliverability.events")
        .description("Delivered, bounced and complained events in the metrics window").register(registry);
    bounceRate = MultiGauge.builder("gateway.deliverability.bounce.rate")
        .description("bounced / (delivered + bounced) in the metrics window").register(registry);
    complaintRate = MultiGauge.builder("gateway.deliverability.complaint.rate")
        .description("complained / delivered in the metrics window").register(registry);
  }

  private void gauge(String name, String description, java.util.function.ToDoubleFunction<LagMonitorVerticle> value,
      String unit) {
    Gauge.builder(name, this, value).description(description).baseUnit(unit).register(registry);
  }

  /** One refresh at a time: a slow database must not pile up queries. */
  private void refresh() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    pool.query(OUTBOX).execute().onSuccess(this::outbox)
        .compose(v -> pool.query(DELIVERIES).execute()).onSuccess(this::deliveries)
        .compose(v -> pool.preparedQuery(DELIVERABILITY).execute(Tuple.of(
            settings.deliverability().metricsWindow().toMillis(), settings.deliverability().metricsTopPairs())))
        .onSuccess(this::deliverability)
        .onFailure(error -> LOG.debug("handler gauges not refreshed: {}", error.toString()))
        .onComplete(v -> refreshing = false);
  }

  private void outbox(RowSet<Row> rows) {
    Row row = rows.iterator().next();
    outboxRows = row.getLong("rows");
    outboxEvents = row.getLong("events");
    outboxRetrying = row.getLong("retrying");
    outboxOldestAge = row.getDouble("oldest_age");
    deadEvents = row.getLong("dead");
  }

  private void deliveries(RowSet<Row> rows) {
    List<MultiGauge.Row<?>> pendingRows = new ArrayList<>();
    List<MultiGauge.Row<?>> deadRows = new ArrayList<>();
    List<MultiGauge.Row<?>> ageRows = new ArrayList<>();
    for (Row row : rows) {
      Tags tags = Tags.of("destination", row.getString("destination"));
      pendingRows.add(MultiGauge.Row.of(tags, row.getLong("pending")));
      deadRows.add(MultiGauge.Row.of(tags, row.getLong("dead")));
      ageRows.add(MultiGauge.Row.of(tags, row.getDouble("oldest_age")));
    }
    pending.register(pendingRows, true);
    deadDeliveries.register(deadRows, true);
    pendingAge.register(ageRows, true);
  }

  private void deliverability(RowSet<Row> rows) {
    List<MultiGauge.Row<?>> events = new ArrayList<>();
    List<MultiGauge.Row<?>> bounces = new ArrayList<>();
    List<MultiGauge.Row<?>> complaints = new ArrayList<>();
    for (Row row : rows) {
      Tags pair = Tags.of("domain", row.getString("domain"), "source", row.getString("source"));
      long delivered = row.getLong("delivered");
      long bounced = row.getLong("bounced");
      long complained = row.getLong("complained");
      events.add(MultiGauge.Row.of(pair.and("type", "delivered"), delivered));
      events.add(MultiGauge.Row.of(pair.and("type", "bounced"), bounced));
      events.add(MultiGauge.Row.of(pair.and("type", "complained"), complained));
      bounces.add(MultiGauge.Row.of(pair, delivered + bounced == 0 ? 0.0 : (double) bounced / (delivered + bounced)));
      complaints.add(MultiGauge.Row.of(pair, delivered == 0 ? 0.0 : (double) complained / delivered));
    }
    deliverabilityEvents.register(events, true);
    bounceRate.register(bounces, true);
    complaintRate.register(complaints, true);
  }
}
