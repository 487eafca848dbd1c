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

  /**
   * The settings of one handler transaction, sent with its BEGIN (one round trip). Each statement
   * is bounded on the server. And the statements keep cached plans — planning them afresh on
   * every execution (the shared pool's session default, see {@code Gateway.poolOptions}) took
   * twice as long as running them for single-event ESPs — while a plan cached when a table was
   * still empty cannot be a sequential scan: every statement here selects by key, and a
   * connection outlives the table's growth (with autovacuum off, no ANALYZE ever invalidates it).
   * {@code SET LOCAL}: the pool's other users keep the session's settings.
   *
   * <p>The COMMIT does not wait for its WAL flush ({@code synchronous_commit = off}): a handler
   * transaction is derived work, and what makes it exactly-once is that its effects and the
   * deletion of its outbox rows commit together — which an asynchronous commit keeps. If the
   * server crashes within the WAL writer's delay of such a commit, the whole transaction is lost
   * with its delete, the outbox rows are back after recovery, and the handlers do them once
   * again. The HTTP forwarder cannot act on a lost one: leasing a delivery commits synchronously,
   * which flushes every commit record written before it. Without this every handler transaction
   * added a flush of its own to the WAL that the ESPs' group commits wait on.
   */
  static String begin(long statementTimeoutMillis) {
    return "BEGIN; SET LOCAL statement_timeout = " + statementTimeoutMillis
        + "; SET LOCAL plan_cache_mode = auto; SET LOCAL enable_seqscan = off; SET LOCAL synchronous_commit = off";
  }
}
