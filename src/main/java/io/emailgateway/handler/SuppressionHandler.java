package io.emailgateway.handler;

import io.emailgateway.config.HandlerSettings;
import io.emailgateway.event.EventType;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.EnumSet;
import java.util.Set;

/**
 * The suppression list ({@code suppressions}). Suppressing at once: a hard bounce (or a bounce of
 * unknown type: the ESP gave up on the address), a complaint, an unsubscribe, and an ESP reject
 * because the address is invalid, bounced before or unsubscribed before. A soft bounce counts
 * towards {@code soft_bounce_threshold} bounces within {@code soft_bounce_window} by event time.
 * {@code subscribed} lifts the unsubscribe entry only, and only if it happened after the last
 * unsubscribe; complaints and bounces are never lifted by an event.
 */
public final class SuppressionHandler implements EventHandler {
  private static final Set<EventType> SUPPRESSING =
      EnumSet.of(EventType.BOUNCED, EventType.COMPLAINED, EventType.UNSUBSCRIBED, EventType.REJECTED);
  private static final Set<EventType> LIFTING = EnumSet.of(EventType.SUBSCRIBED);
  private static final Set<EventType> BOUNCES = EnumSet.of(EventType.BOUNCED);

  /** Each entry remembers the earliest event that caused it, and its source. */
  static final String SUPPRESS = """
      INSERT INTO suppressions AS s (address, scope, reason, first_seen_at, last_seen_at, count, source, event_id)
      SELECT c.address, c.scope, c.reason, min(c.occurred_at), max(c.occurred_at), count(*),
             (array_agg(c.source ORDER BY c.occurred_at, c.id))[1], (array_agg(c.id ORDER BY c.occurred_at, c.id))[1]
        FROM (SELECT e.id, e.source, e.occurred_at, e.recipient AS address, coalesce($2::text, e.source) AS scope,
                     CASE WHEN e.type = 'bounced' AND e.bounce_type IS DISTINCT FROM 'soft' THEN 'hard_bounce'
                          WHEN e.type = 'complained' THEN 'complaint'
                          WHEN e.type = 'unsubscribed' THEN 'unsubscribe'
                          WHEN e.type = 'rejected' AND e.reject_reason = 'invalid' THEN 'invalid'
                          WHEN e.type = 'rejected' AND e.reject_reason = 'bounced' THEN 'hard_bounce'
                          WHEN e.type = 'rejected' AND e.reject_reason = 'unsubscribed' THEN 'unsubscribe'
                     END AS reason
                FROM events e
               WHERE e.id = ANY ($1) AND e.recipient <> '') c
       WHERE c.reason IS NOT NULL
       GROUP BY c.address, c.scope, c.reason
       ORDER BY c.address, c.scope, c.reason
      ON CONFLICT (address, scope, reason) DO UPDATE SET
          first_seen_at = least(s.first_seen_at, excluded.first_seen_at),
          last_seen_at = greatest(s.last_seen_at, excluded.last_seen_at),
          count = s.count + excluded.count,
          source = CASE WHEN s.event_id IS NULL OR excluded.first_seen_at < s.first_seen_at
                        THEN excluded.source ELSE s.source END,
          event_id = CASE WHEN s.event_id IS NULL OR excluded.first_seen_at < s.first_seen_at
                          THEN excluded.event_id ELSE s.event_id END,
          updated_at = now()""";

  /**
   * A resubscribe that arrives before the unsubscribe it follows (in event time) still wins: it
   * leaves a lifted entry with count 0 that the late unsubscribe finds already lifted.
   */
  static final String LIFT = """
      INSERT INTO suppressions AS s (address, scope, reason, source, lifted_at, lifted_by_event_id)
      SELECT c.address, c.scope, 'unsubscribe', (array_agg(c.source ORDER BY c.occurred_at DESC, c.id DESC))[1],
             max(c.occurred_at), (array_agg(c.id ORDER BY c.occurred_at DESC, c.id DESC))[1]
        FROM (SELECT e.id, e.source, e.occurred_at, e.recipient AS address, coalesce($2::text, e.source) AS scope
                FROM events e
               WHERE e.id = ANY ($1) AND e.type = 'subscribed' AND e.recipient <> '') c
       GROUP BY c.address, c.scope
       ORDER BY c.address, c.scope
      ON CONFLICT (address, scope, reason) DO UPDATE SET
          lifted_by_event_id = CASE WHEN s.lifted_at IS NULL OR excluded.lifted_at > s.lifted_at
                                    THEN excluded.lifted_by_event_id ELSE s.lifted_by_event_id END,
          lifted_at = greatest(s.lifted_at, excluded.lifted_at),
          updated_at = now()""";

  /**
   * The window check reads other transactions' soft bounces, so two instances each adding one
   * bounce of the same address would each see one too few and neither would suppress. An
   * advisory lock per (scope, address), taken in key order, makes the second wait for the first
   * to commit; its check then runs on a fresh snapshot that includes the first one's bounces.
   */
  static final String LOCK_SOFT_BOUNCED_ADDRESSES = """
      SELECT pg_advisory_xact_lock(hashtextextended(k.scope || ' ' || k.address, 0))
        FROM (SELECT DISTINCT e.recipient AS address, coalesce($2::text, e.source) AS scope
                FROM events e
               WHERE e.id = ANY ($1) AND e.type = 'bounced' AND e.bounce_type = 'soft' AND e.recipient <> ''
               ORDER BY 1, 2) k""";

  static final String RECORD_SOFT_BOUNCES = """
      INSERT INTO soft_bounces (address, scope, event_id, occurred_at, source)
      SELECT e.recipient, coalesce($2::text, e.source), e.id, e.occurred_at, e.source
        FROM events e
       WHERE e.id = ANY ($1) AND e.type = 'bounced' AND e.bounce_type = 'soft' AND e.recipient <> ''
       ORDER BY 1, 2, 3
      ON CONFLICT DO NOTHING""";

  /**
   * For every address that got a soft bounce in this batch: is there any window of the configured
   * length holding at least the threshold of its soft bounces? Checking every window (not just
   * the latest) makes the result independent of arrival order. The entry's count is the number of
   * soft bounces on record, its event the bounce that first completed a window — in event time,
   * so an entry made from later bounces takes the cause (and its source) of an earlier window
   * that a late-arriving bounce completes.
   */
  static final String SUPPRESS_SOFT_BOUNCES = """
      WITH touched AS (
          SELECT DISTINCT e.recipient AS address, coalesce($2::text, e.source) AS scope
            FROM events e
           WHERE e.id = ANY ($1) AND e.type = 'bounced' AND e.bounce_type = 'soft' AND e.recipient <> ''
      ), windowed AS (
          SELECT b.address, b.scope, b.event_id, b.occurred_at, b.source,
                 count(*) OVER (PARTITION BY b.address, b.scope ORDER BY b.occurred_at
                                RANGE BETWEEN $4::bigint * interval '1 millisecond' PRECEDING AND CURRENT ROW) AS in_window
            FROM soft_bounces b JOIN touched t USING (address, scope)
      ), qualified AS (
          SELECT w.address, w.scope, min(w.occurred_at) AS first_at, max(w.occurred_at) AS last_at, count(*) AS total,
                 (array_agg(w.event_id ORDER BY w.occurred_at, w.event_id) FILTER (WHERE w.in_window >= $3::int))[1] AS cause,
                 (array_agg(w.source ORDER BY w.occurred_at, w.event_id) FILTER (WHERE w.in_window >= $3::int))[1] AS cause_source
            FROM windowed w
           GROUP BY w.address, w.scope
          HAVING max(w.in_window) >= $3::int
      )
      INSERT INTO suppressions AS s (address, scope, reason, first_seen_at, last_seen_at, count, source, event_id)
      SELECT q.address, q.scope, 'soft_bounce', q.first_at, q.last_at, q.total, q.cause_source, q.cause
        FROM qualified q
       ORDER BY q.address, q.scope
      ON CONFLICT (address, scope, reason) DO UPDATE SET
          first_seen_at = least(s.first_seen_at, excluded.first_seen_at),
          last_seen_at = greatest(s.last_seen_at, excluded.last_seen_at),
          count = greatest(s.count, excluded.count),
          source = CASE WHEN %1$s THEN excluded.source ELSE s.source END,
          event_id = CASE WHEN %1$s THEN excluded.event_id ELSE s.event_id END,
          updated_at = now()""".formatted("""
          (SELECT (c.occurred_at, c.id) FROM events c WHERE c.id = excluded.event_id)
            < (SELECT (o.occurred_at, o.id) FROM events o WHERE o.id = s.event_id)""");

  private final String scope;
  private final int softBounceThreshold;
  private final long softBounceWindowMillis;

  public SuppressionHandler(HandlerSettings.Suppression settings) {
    this.scope = settings.global() ? HandlerSettings.Suppression.GLOBAL_SCOPE : null;
    this.softBounceThreshold = settings.softBounceThreshold();
    this.softBounceWindowMillis = settings.softBounceWindow().toMillis();
  }

  @Override
  public String name() {
    return "suppression";
  }

  @Override
  public Future<Void> apply(SqlConnection tx, EventBatch batch) {
    return EventHandler.executeFor(tx, batch.idsOf(SUPPRESSING), SUPPRESS, scope)
        .compose(v -> EventHandler.executeFor(tx, batch.idsOf(LIFTING), LIFT, scope))
        .compose(v -> countSoftBounces(tx, batch.idsOf(BOUNCES)));
  }

  /** The statements themselves pick the soft ones among the bounces. */
  private Future<Void> countSoftBounces(SqlConnection tx, Long[] bounces) {
    if (bounces.length == 0) {
      return Future.succeededFuture();
    }
    Tuple ids = Tuple.of(bounces, scope);
    return tx.preparedQuery(LOCK_SOFT_BOUNCED_ADDRESSES).execute(ids)
        .compose(r -> tx.preparedQuery(RECORD_SOFT_BOUNCES).execute(ids))
        .compose(r -> tx.preparedQuery(SUPPRESS_SOFT_BOUNCES)
            .execute(Tuple.of(bounces, scope, softBounceThreshold, softBounceWindowMillis)))
        .mapEmpty();
  }
}
