package io.emailgateway.handler;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * One built-in handler: the database effects of a set of stored events, applied with set-based
 * statements inside the caller's transaction. A handler never commits and never sees an event
 * twice (the caller deletes the outbox rows in the same transaction), so counters simply add.
 * Statements lock rows in key order, which keeps concurrent handler transactions from deadlocking
 * on each other in the common case.
 */
public interface EventHandler {
  /** Short name for metrics and logs, e.g. {@code suppression}. */
  String name();

  /**
   * Applies this handler to the batch. A handler looks up only the events it acts on
   * ({@link EventBatch#idsOf}), and runs no statement when there are none.
   */
  Future<Void> apply(SqlConnection transaction, EventBatch batch);

  /** Runs {@code sql} with the event ids as {@code $1} (then {@code more}), or nothing when there are none. */
  static Future<Void> executeFor(SqlConnection transaction, Long[] eventIds, String sql, Object... more) {
    if (eventIds.length == 0) {
      return Future.succeededFuture();
    }
    Tuple parameters = Tuple.tuple().addValue(eventIds);
    for (Object value : more) {
      parameters.addValue(value);
    }
    return transaction.preparedQuery(sql).execute(parameters).mapEmpty();
  }
}
