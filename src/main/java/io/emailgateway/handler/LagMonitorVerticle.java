package io.emailgateway.handler;

import io.emailgateway.config.HandlerSettings;
import io.emailgateway.metrics.LabeledGauge;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Map;
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
  private LabeledGauge pending;
  private LabeledGauge deadDeliveries;
  private LabeledGauge pendingAge;
  private LabeledGauge deliverabilityEvents;
  private LabeledGauge bounceRate;
  private LabeledGauge complaintRate;
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
    pending = new LabeledGauge(registry, "gateway.forward.pending", "Deliveries waiting to be sent", null);
    deadDeliveries = new LabeledGauge(registry, "gateway.forward.dead", "Dead-lettered deliveries", null);
    pendingAge = new LabeledGauge(registry, "gateway.forward.oldest.pending.age", "Age of the oldest pending delivery",
        "seconds");
    deliverabilityEvents = new LabeledGauge(registry, "gateway.deliverability.events",
        "Delivered, bounced and complained events in the metrics window", null);
    bounceRate = new LabeledGauge(registry, "gateway.deliverability.bounce.rate",
        "bounced / (delivered + bounced) in the metrics window", null);
    complaintRate = new LabeledGauge(registry, "gateway.deliverability.complaint.rate",
        "complained / delivered in the metrics window", null);
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
    Map<Tags, Double> pendingRows = new HashMap<>();
    Map<Tags, Double> deadRows = new HashMap<>();
    Map<Tags, Double> ageRows = new HashMap<>();
    for (Row row : rows) {
      Tags tags = Tags.of("destination", row.getString("destination"));
      pendingRows.put(tags, row.getLong("pending").doubleValue());
      deadRows.put(tags, row.getLong("dead").doubleValue());
      ageRows.put(tags, row.getDouble("oldest_age"));
    }
    pending.set(pendingRows);
    deadDeliveries.set(deadRows);
    pendingAge.set(ageRows);
  }

  private void deliverability(RowSet<Row> rows) {
    Map<Tags, Double> events = new HashMap<>();
    Map<Tags, Double> bounces = new HashMap<>();
    Map<Tags, Double> complaints = new HashMap<>();
    for (Row row : rows) {
      Tags pair = Tags.of("domain", row.getString("domain"), "source", row.getString("source"));
      long delivered = row.getLong("delivered");
      long bounced = row.getLong("bounced");
      long complained = row.getLong("complained");
      events.put(pair.and("type", "delivered"), (double) delivered);
      events.put(pair.and("type", "bounced"), (double) bounced);
      events.put(pair.and("type", "complained"), (double) complained);
      bounces.put(pair, delivered + bounced == 0 ? 0.0 : (double) bounced / (delivered + bounced));
      complaints.put(pair, delivered == 0 ? 0.0 : (double) complained / delivered);
    }
    deliverabilityEvents.set(events);
    bounceRate.set(bounces);
    complaintRate.set(complaints);
  }
}
