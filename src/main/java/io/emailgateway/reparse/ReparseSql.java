package io.emailgateway.reparse;

/**
 * Every statement of a re-parse, in one place (JDBC: the command runs on its own thread, not an
 * event loop). The handler statements undo what the built-in handlers (package {@code handler})
 * added for an event, reading the event's row before it is rewritten; the handlers add the
 * corrected event again from the outbox row the same transaction writes.
 */
final class ReparseSql {
  private ReparseSql() {}

  /** One page of a source's events in id order; the bounds are on received_at ("stored since"). */
  static final String PAGE = """
      SELECT id, provider, event_key, type, bounce_type, reject_reason, occurred_at, message_id, recipient,
             sender, subject, tags, metadata::text AS metadata, click_url, user_agent, ip, mta_response,
             description, esp_event::text AS esp_event, parser_version
        FROM events
       WHERE source = ? AND id > ? AND received_at >= ?::timestamptz AND received_at < ?::timestamptz
       ORDER BY id
       LIMIT ?""";

  static final String UPDATE_EVENT = """
      UPDATE events
         SET type = ?, bounce_type = ?, reject_reason = ?, occurred_at = ?, message_id = ?, recipient = ?,
             sender = ?, subject = ?, tags = ?, metadata = ?::jsonb, click_url = ?, user_agent = ?, ip = ?,
             mta_response = ?, description = ?, parser_version = ?, reparsed_at = now()
       WHERE id = ?""";

  /**
   * The outbox rows still naming any of the events: their handlers have not run yet. FOR UPDATE
   * waits for a handler transaction that holds one (afterwards the row is gone: handled) and keeps
   * handlers from claiming them until this transaction commits, when they read the new values.
   */
  static final String LOCK_PENDING = "SELECT event_ids FROM outbox WHERE event_ids && ?::bigint[] FOR UPDATE";

  /** Parked events: their handler effects were rolled back, replay_dead_events() applies them later. */
  static final String LOCK_PARKED = "SELECT event_id FROM handler_dead_events WHERE event_id = ANY (?::bigint[]) FOR UPDATE";

  static final String ENQUEUE = "INSERT INTO outbox (event_ids) VALUES (?::bigint[])";

  /** Parameters: the handled ids. Exact: the counts of each hour bucket go back down. */
  static final String RETRACT_DELIVERABILITY = """
      UPDATE deliverability d
         SET delivered = d.delivered - x.delivered, bounced = d.bounced - x.bounced, complained = d.complained - x.complained
        FROM (SELECT sender_domain(e.sender) AS domain, e.source, date_trunc('hour', e.occurred_at, 'UTC') AS bucket_start,
                     count(*) FILTER (WHERE e.type = 'delivered') AS delivered,
                     count(*) FILTER (WHERE e.type = 'bounced') AS bounced,
                     count(*) FILTER (WHERE e.type = 'complained') AS complained
                FROM events e
               WHERE e.id = ANY (?::bigint[]) AND e.type IN ('delivered', 'bounced', 'complained')
               GROUP BY 1, 2, 3) x
       WHERE d.domain = x.domain AND d.source = x.source AND d.bucket_start = x.bucket_start""";

  /**
   * Parameters: the handled ids, then every changed id. Counts go down by the handled events; the
   * first/last times are taken again from the recipient's other events (a min/max over events
   * whose handlers have not run yet is harmless: applying them later takes the same min/max).
   */
  static final String RETRACT_ENGAGEMENT = """
      UPDATE engagement g
         SET opens = g.opens - x.opens, clicks = g.clicks - x.clicks,
             first_open_at = r.first_open_at, last_open_at = r.last_open_at,
             first_click_at = r.first_click_at, last_click_at = r.last_click_at, updated_at = now()
        FROM (SELECT e.recipient, count(*) FILTER (WHERE e.type = 'opened') AS opens,
                     count(*) FILTER (WHERE e.type = 'clicked') AS clicks
                FROM events e
               WHERE e.id = ANY (?::bigint[]) AND e.type IN ('opened', 'clicked') AND e.recipient <> ''
               GROUP BY e.recipient) x
             CROSS JOIN LATERAL (
               SELECT min(o.occurred_at) FILTER (WHERE o.type = 'opened') AS first_open_at,
                      max(o.occurred_at) FILTER (WHERE o.type = 'opened') AS last_open_at,
                      min(o.occurred_at) FILTER (WHERE o.type = 'clicked') AS first_click_at,
                      max(o.occurred_at) FILTER (WHERE o.type = 'clicked') AS last_click_at
                 FROM events o
                WHERE o.recipient = x.recipient AND o.type IN ('opened', 'clicked') AND NOT (o.id = ANY (?::bigint[]))) r
       WHERE g.recipient = x.recipient""";

  static final String DELETE_EMPTY_ENGAGEMENT = """
      DELETE FROM engagement g
       WHERE g.opens <= 0 AND g.clicks <= 0
         AND g.recipient IN (SELECT e.recipient FROM events e WHERE e.id = ANY (?::bigint[]))""";

  /**
   * Parameters: the handled ids, then every changed id (twice). The count goes down by the handled
   * events; status, first and last time are the maximum / bounds of the key's other events again,
   * with the precedence of MessageStatusHandler.
   */
  static final String RETRACT_MESSAGES = """
      UPDATE messages m
         SET event_count = m.event_count - x.n,
             source = coalesce(b.source, m.source), status = coalesce(b.type, m.status),
             status_rank = coalesce(b.rank, m.status_rank), status_at = coalesce(b.occurred_at, m.status_at),
             status_event_id = coalesce(b.id, m.status_event_id),
             first_event_at = coalesce(s.first_at, m.first_event_at), last_event_at = coalesce(s.last_at, m.last_event_at),
             updated_at = now()
        FROM (SELECT e.message_id, e.recipient, count(*) AS n
                FROM events e
               WHERE e.id = ANY (?::bigint[]) AND e.message_id <> '' AND e.recipient <> ''
                 AND message_status_rank(e.type) IS NOT NULL
               GROUP BY 1, 2) x
             LEFT JOIN LATERAL (
               SELECT o.id, o.type, o.source, o.occurred_at, message_status_rank(o.type) AS rank
                 FROM events o
                WHERE o.message_id = x.message_id AND o.recipient = x.recipient AND NOT (o.id = ANY (?::bigint[]))
                  AND message_status_rank(o.type) IS NOT NULL
                ORDER BY 5 DESC, o.occurred_at DESC, o.id DESC
                LIMIT 1) b ON true
             LEFT JOIN LATERAL (
               SELECT min(o.occurred_at) AS first_at, max(o.occurred_at) AS last_at
                 FROM events o
                WHERE o.message_id = x.message_id AND o.recipient = x.recipient AND NOT (o.id = ANY (?::bigint[]))
                  AND message_status_rank(o.type) IS NOT NULL) s ON true
       WHERE m.message_id = x.message_id AND m.recipient = x.recipient""";

  static final String DELETE_EMPTY_MESSAGES = """
      DELETE FROM messages m
       WHERE m.event_count <= 0
         AND (m.message_id, m.recipient) IN (SELECT e.message_id, e.recipient FROM events e WHERE e.id = ANY (?::bigint[]))""";

  /**
   * Parameters: the suppression scope ('*' for a global list, else NULL: per source), the handled
   * ids. Only the count goes down: an entry stays active (a suppression protects the sender's
   * reputation, so lifting one is left to a person); the reasons are SuppressionHandler's.
   */
  static final String RETRACT_SUPPRESSION_COUNTS = """
      UPDATE suppressions s
         SET count = greatest(s.count - c.n, 0), updated_at = now()
        FROM (SELECT e.recipient AS address, coalesce(?::text, e.source) AS scope,
                     CASE WHEN e.type = 'bounced' AND e.bounce_type IS DISTINCT FROM 'soft' THEN 'hard_bounce'
                          WHEN e.type = 'complained' THEN 'complaint'
                          WHEN e.type = 'unsubscribed' THEN 'unsubscribe'
                          WHEN e.type = 'rejected' AND e.reject_reason = 'invalid' THEN 'invalid'
                          WHEN e.type = 'rejected' AND e.reject_reason = 'bounced' THEN 'hard_bounce'
                          WHEN e.type = 'rejected' AND e.reject_reason = 'unsubscribed' THEN 'unsubscribe'
                     END AS reason, count(*) AS n
                FROM events e
               WHERE e.id = ANY (?::bigint[]) AND e.recipient <> ''
               GROUP BY 1, 2, 3) c
       WHERE c.reason IS NOT NULL AND s.address = c.address AND s.scope = c.scope AND s.reason = c.reason""";

  /** The soft-bounce window is kept per event: the handler records the event again if it is still a soft bounce. */
  static final String FORGET_SOFT_BOUNCES = "DELETE FROM soft_bounces WHERE event_id = ANY (?::bigint[])";
}
