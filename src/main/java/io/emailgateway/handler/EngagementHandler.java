package io.emailgateway.handler;

import io.emailgateway.event.EventType;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.EnumSet;
import java.util.Set;

/** Opens and clicks per recipient in {@code engagement}, with the first and last of each by event time. */
public final class EngagementHandler implements EventHandler {
  private static final Set<EventType> TYPES = EnumSet.of(EventType.OPENED, EventType.CLICKED);

  static final String UPSERT = """
      INSERT INTO engagement AS g (recipient, opens, clicks, first_open_at, last_open_at, first_click_at, last_click_at)
      SELECT e.recipient,
             count(*) FILTER (WHERE e.type = 'opened'), count(*) FILTER (WHERE e.type = 'clicked'),
             min(e.occurred_at) FILTER (WHERE e.type = 'opened'), max(e.occurred_at) FILTER (WHERE e.type = 'opened'),
             min(e.occurred_at) FILTER (WHERE e.type = 'clicked'), max(e.occurred_at) FILTER (WHERE e.type = 'clicked')
        FROM events e
       WHERE e.id = ANY ($1) AND e.type IN ('opened', 'clicked') AND e.recipient <> ''
       GROUP BY e.recipient
       ORDER BY e.recipient
      ON CONFLICT (recipient) DO UPDATE SET
          opens = g.opens + excluded.opens,
          clicks = g.clicks + excluded.clicks,
          first_open_at = least(g.first_open_at, excluded.first_open_at),
          last_open_at = greatest(g.last_open_at, excluded.last_open_at),
          first_click_at = least(g.first_click_at, excluded.first_click_at),
          last_click_at = greatest(g.last_click_at, excluded.last_click_at),
          updated_at = now()""";

  @Override
  public String name() {
    return "engagement";
  }

  @Override
  public Future<Void> apply(SqlConnection tx, EventBatch batch) {
    return EventHandler.executeFor(tx, batch.idsOf(TYPES), UPSERT);
  }
}
