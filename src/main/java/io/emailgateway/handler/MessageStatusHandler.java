package io.emailgateway.handler;

import io.emailgateway.event.EventType;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.EnumSet;
import java.util.Set;

/**
 * Current status per (message_id, recipient) in {@code messages}; the full timeline is the view
 * {@code message_timeline} over the stored events. The status is the maximum of the events seen
 * so far under the order (precedence rank, event time, event id), with the ranks of the SQL
 * function {@code message_status_rank} (README "Handlers"). A maximum does not depend on the
 * order the events arrive in, which is what makes a late {@code delivered} after a
 * {@code bounced}, or an {@code opened} before its {@code delivered}, come out right.
 * {@code subscribed} and {@code unknown} say nothing about a message and are skipped.
 */
public final class MessageStatusHandler implements EventHandler {
  /** The types {@code message_status_rank} ranks; the statement itself still skips the unranked. */
  private static final Set<EventType> RANKED = EnumSet.complementOf(EnumSet.of(EventType.SUBSCRIBED, EventType.UNKNOWN));

  private static final String NEWER =
      "(excluded.status_rank, excluded.status_at, excluded.status_event_id) > (m.status_rank, m.status_at, m.status_event_id)";

  /** Per key, the batch's strongest event (DISTINCT ON) plus the batch's time span and count. */
  static final String UPSERT = """
      INSERT INTO messages AS m (message_id, recipient, source, status, status_rank, status_at, status_event_id,
                                 first_event_at, last_event_at, event_count, sender, subject)
      SELECT DISTINCT ON (b.message_id, b.recipient)
             b.message_id, b.recipient, b.source, b.type, b.rank, b.occurred_at, b.id,
             min(b.occurred_at) OVER w, max(b.occurred_at) OVER w, count(*) OVER w,
             max(b.sender) OVER w, max(b.subject) OVER w
        FROM (SELECT e.id, e.message_id, e.recipient, e.source, e.type, e.occurred_at, e.sender, e.subject,
                     message_status_rank(e.type) AS rank
                FROM events e
               WHERE e.id = ANY ($1) AND e.message_id <> '' AND e.recipient <> '') b
       WHERE b.rank IS NOT NULL
      WINDOW w AS (PARTITION BY b.message_id, b.recipient)
       ORDER BY b.message_id, b.recipient, b.rank DESC, b.occurred_at DESC, b.id DESC
      ON CONFLICT (message_id, recipient) DO UPDATE SET
          source = CASE WHEN %1$s THEN excluded.source ELSE m.source END,
          status = CASE WHEN %1$s THEN excluded.status ELSE m.status END,
          status_rank = CASE WHEN %1$s THEN excluded.status_rank ELSE m.status_rank END,
          status_at = CASE WHEN %1$s THEN excluded.status_at ELSE m.status_at END,
          status_event_id = CASE WHEN %1$s THEN excluded.status_event_id ELSE m.status_event_id END,
          first_event_at = least(m.first_event_at, excluded.first_event_at),
          last_event_at = greatest(m.last_event_at, excluded.last_event_at),
          event_count = m.event_count + excluded.event_count,
          sender = coalesce(m.sender, excluded.sender),
          subject = coalesce(m.subject, excluded.subject),
          updated_at = now()""".formatted(NEWER);

  @Override
  public String name() {
    return "messages";
  }

  @Override
  public Future<Void> apply(SqlConnection tx, EventBatch batch) {
    return EventHandler.executeFor(tx, batch.idsOf(RANKED), UPSERT);
  }
}
