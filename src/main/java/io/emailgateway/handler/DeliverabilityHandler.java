package io.emailgateway.handler;

import io.emailgateway.event.EventType;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.EnumSet;
import java.util.Set;

/**
 * Hourly delivered / bounced / complained counts per sending domain (from {@code sender}) and
 * source in {@code deliverability}, bucketed by event time in UTC so a late event lands in its
 * own hour; {@code deliverability_rates(interval)} turns them into rolling bounce and complaint rates.
 */
public final class DeliverabilityHandler implements EventHandler {
  private static final Set<EventType> TYPES = EnumSet.of(EventType.DELIVERED, EventType.BOUNCED, EventType.COMPLAINED);

  static final String UPSERT = """
      INSERT INTO deliverability AS d (domain, source, bucket_start, delivered, bounced, complained)
      SELECT sender_domain(e.sender), e.source, date_trunc('hour', e.occurred_at, 'UTC'),
             count(*) FILTER (WHERE e.type = 'delivered'), count(*) FILTER (WHERE e.type = 'bounced'),
             count(*) FILTER (WHERE e.type = 'complained')
        FROM events e
       WHERE e.id = ANY ($1) AND e.type IN ('delivered', 'bounced', 'complained')
       GROUP BY 1, 2, 3
       ORDER BY 1, 2, 3
      ON CONFLICT (domain, source, bucket_start) DO UPDATE SET
          delivered = d.delivered + excluded.delivered,
          bounced = d.bounced + excluded.bounced,
          complained = d.complained + excluded.complained""";

  @Override
  public String name() {
    return "deliverability";
  }

  @Override
  public Future<Void> apply(SqlConnection tx, EventBatch batch) {
    return EventHandler.executeFor(tx, batch.idsOf(TYPES), UPSERT);
  }
}
