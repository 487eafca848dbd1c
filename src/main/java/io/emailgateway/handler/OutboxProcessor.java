package io.emailgateway.handler;

import io.emailgateway.config.HandlerSettings;
import io.emailgateway.config.RetryPolicy;
import io.emailgateway.handler.HandlerChain.FailedEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One handler transaction: claim due outbox rows ({@code FOR UPDATE SKIP LOCKED}, so instances
 * never share a row), apply every handler to their events, reschedule or park the events that
 * failed, delete the claimed rows, COMMIT. The effects and the delete commit together or not at
 * all, which is the whole exactly-once argument: a crash or a lost connection before COMMIT
 * leaves the rows in the outbox with none of their effects, and the next claim does them once.
 * The transaction is driven with plain BEGIN/COMMIT so that a failed statement can be rolled
 * back to a savepoint (see {@link HandlerChain}) instead of dooming the whole transaction.
 */
public final class OutboxProcessor {
  private final Pool pool;
  private final HandlerChain chain;
  private final HandlerSettings settings;
  private final HandlerMetrics metrics;

  /** What one transaction did; {@code more} means the claim was full, so more work is likely waiting. */
  public record Outcome(int rows, int events, int retried, int parked, boolean more) {
    static final Outcome NOTHING = new Outcome(0, 0, 0, 0, false);
  }

  /** The claimed outbox rows and their distinct events, each with the attempts it already had. */
  private record Claim(List<Long> rowIds, Map<Long, Integer> attemptsByEvent, boolean more) {}

  public OutboxProcessor(Pool pool, List<EventHandler> handlers, HandlerSettings settings, HandlerMetrics metrics) {
    this.pool = pool;
    this.chain = new HandlerChain(handlers, metrics);
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Runs one transaction; fails (with everything rolled back) when the database could not be used. */
  public Future<Outcome> processOnce() {
    long started = System.nanoTime();
    return pool.getConnection()
        .compose(conn -> inTransaction(conn).eventually(conn::close))
        .onSuccess(outcome -> metrics.batchDone(outcome, System.nanoTime() - started));
  }

  private Future<Outcome> inTransaction(SqlConnection conn) {
    return conn.query(OutboxSql.begin(settings.statementTimeout().toMillis())).execute()
        .compose(v -> conn.preparedQuery(OutboxSql.CLAIM).execute(Tuple.of(settings.batchRows())))
        .compose(rows -> {
          Claim claim = claim(rows);
          return claim.rowIds().isEmpty() ? Future.succeededFuture(Outcome.NOTHING) : handle(conn, claim);
        })
        .compose(outcome -> conn.query("COMMIT").execute().map(outcome))
        .recover(error -> conn.query("ROLLBACK").execute().transform(ignored -> Future.failedFuture(error)));
  }

  private Future<Outcome> handle(SqlConnection conn, Claim claim) {
    List<Long> events = new ArrayList<>(claim.attemptsByEvent().keySet());
    return EventBatch.read(conn, events)
        .compose(batch -> chain.apply(conn, batch))
        .compose(failed -> reschedule(conn, claim, failed))
        .compose(rescheduled -> conn.preparedQuery(OutboxSql.DELETE)
            .execute(Tuple.of(claim.rowIds().toArray(Long[]::new)))
            .map(v -> new Outcome(claim.rowIds().size(), events.size(), rescheduled.retries.size(),
                rescheduled.dead.size(), claim.more())));
  }

  /**
   * Takes rows in id order until {@code max_batch_events} would be exceeded (always at least one
   * row). Rows left out stay locked by this transaction until it ends, untouched.
   */
  private Claim claim(RowSet<Row> rows) {
    List<Long> rowIds = new ArrayList<>();
    Map<Long, Integer> attempts = new LinkedHashMap<>();
    boolean truncated = false;
    for (Row row : rows) {
      Long[] ids = row.getArrayOfLongs("event_ids");
      if (!rowIds.isEmpty() && attempts.size() + ids.length > settings.maxBatchEvents()) {
        truncated = true;
        break;
      }
      rowIds.add(row.getLong("id"));
      for (Long id : ids) {
        attempts.merge(id, row.getInteger("attempts"), Math::max);
      }
    }
    return new Claim(rowIds, attempts, truncated || rows.size() == settings.batchRows());
  }

  /** Failed events come back as their own outbox row after a backoff, or are parked once out of attempts. */
  private Future<Rescheduled> reschedule(SqlConnection conn, Claim claim, List<FailedEvent> failed) {
    RetryPolicy retry = settings.retry();
    Rescheduled rescheduled = new Rescheduled(new Batches(), new Batches());
    for (FailedEvent event : failed) {
      int attempts = claim.attemptsByEvent().getOrDefault(event.eventId(), 0) + 1;
      long delay = retry.delay(attempts, ThreadLocalRandom.current()).toMillis();
      (retry.exhausted(attempts) ? rescheduled.dead : rescheduled.retries).add(event, attempts, delay);
    }
    return rescheduled.retries.insert(conn, OutboxSql.RETRY, true)
        .compose(v -> rescheduled.dead.insert(conn, OutboxSql.PARK, false))
        .map(rescheduled);
  }

  private record Rescheduled(Batches retries, Batches dead) {}

  /** Column arrays for one multi-row insert through {@code unnest}. */
  private static final class Batches {
    private final List<Long> ids = new ArrayList<>();
    private final List<Integer> attempts = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    void add(FailedEvent event, int attempt, long delayMillis) {
      ids.add(event.eventId());
      attempts.add(attempt);
      delays.add(delayMillis);
      errors.add(event.error());
    }

    int size() {
      return ids.size();
    }

    Future<Void> insert(SqlConnection conn, String sql, boolean withDelay) {
      if (ids.isEmpty()) {
        return Future.succeededFuture();
      }
      Tuple columns = Tuple.of(ids.toArray(Long[]::new), attempts.toArray(Integer[]::new), errors.toArray(String[]::new));
      if (withDelay) {
        columns.addValue(delays.toArray(Long[]::new));
      }
      return conn.preparedQuery(sql).execute(columns).mapEmpty();
    }
  }
}
