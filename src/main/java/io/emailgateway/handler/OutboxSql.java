package io.emailgateway.handler;

/** The statements of the outbox life cycle: claim, delete, retry, park. */
final class OutboxSql {
  private OutboxSql() {}

  /**
   * Due rows in commit order. SKIP LOCKED lets every instance claim a disjoint set without
   * waiting; a row scheduled for a retry is invisible until its time has come.
   */
  static final String CLAIM = """
      SELECT id, event_ids, attempts
        FROM outbox
       WHERE next_attempt_at IS NULL OR next_attempt_at <= now()
       ORDER BY id
       LIMIT $1::int
         FOR UPDATE SKIP LOCKED""";

  static final String DELETE = "DELETE FROM outbox WHERE id = ANY ($1)";

  /** One row per failed event, so it is retried (and can fail again) on its own. */
  static final String RETRY = """
      INSERT INTO outbox (event_ids, attempts, last_error, next_attempt_at)
      SELECT ARRAY[u.id], u.attempts, u.error, now() + u.delay_ms * interval '1 millisecond'
        FROM unnest($1::bigint[], $2::int[], $3::text[], $4::bigint[]) AS u(id, attempts, error, delay_ms)""";

  static final String PARK = """
      INSERT INTO handler_dead_events (event_id, attempts, last_error)
      SELECT u.id, u.attempts, u.error
        FROM unnest($1::bigint[], $2::int[], $3::text[]) AS u(id, attempts, error)
      ON CONFLICT (event_id) DO UPDATE SET attempts = excluded.attempts, last_error = excluded.last_error,
                                           parked_at = now()""";

  /** Bounds each statement of the handler transaction on the server. */
  static String statementTimeout(long millis) {
    return "SET LOCAL statement_timeout = " + millis;
  }
}
