package io.emailgateway.handler;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Applies every handler to a set of events inside the caller's transaction, and finds the events
 * that make it fail without giving up the others: the whole set runs under a savepoint; if the
 * database refuses it for a reason that can lie in the data (a constraint, a bad value, a
 * statement timeout), the savepoint is rolled back and each half is tried on its own, down to
 * single events. One poison event among n costs about 2·log2(n) extra tries, and the events
 * around it are applied in the same transaction.
 * Failures that say nothing about the events (connection lost, deadlock, server out of
 * resources or shutting down) fail the whole call, so the caller rolls back and retries later.
 */
final class HandlerChain {
  /** SQLSTATE classes of transient failures: connection, transaction rollback, resources, operator, system. */
  private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "57", "58", "XX");
  private static final String QUERY_CANCELED = "57014";
  private static final int MAX_ERROR_LENGTH = 1000;

  /** An event whose handlers failed on their own, with the database's reason. */
  record FailedEvent(long eventId, String error) {}

  private final List<EventHandler> handlers;
  private final HandlerMetrics metrics;

  HandlerChain(List<EventHandler> handlers, HandlerMetrics metrics) {
    this.handlers = List.copyOf(handlers);
    this.metrics = metrics;
  }

  /** Applies the handlers; the result lists the events whose effects were rolled back. */
  Future<List<FailedEvent>> apply(SqlConnection tx, EventBatch batch) {
    if (batch.size() == 0) {
      return Future.succeededFuture(List.of());
    }
    return tx.query("SAVEPOINT handlers").execute()
        .compose(v -> applyAll(tx, batch))
        .compose(v -> tx.query("RELEASE SAVEPOINT handlers").execute())
        .map(v -> List.<FailedEvent>of())
        .recover(error -> isolate(tx, batch, error));
  }

  private Future<List<FailedEvent>> isolate(SqlConnection tx, EventBatch batch, Throwable error) {
    if (!attributableToEvents(error)) {
      return Future.failedFuture(error);
    }
    Future<Void> undone = tx.query("ROLLBACK TO SAVEPOINT handlers; RELEASE SAVEPOINT handlers").execute().mapEmpty();
    if (batch.size() == 1) {
      return undone.map(v -> List.of(new FailedEvent(batch.onlyId(), describe(error))));
    }
    List<EventBatch> halves = batch.halves();
    return undone.compose(v -> apply(tx, halves.get(0)))
        .compose(failedFirst -> apply(tx, halves.get(1)).map(failedSecond -> concat(failedFirst, failedSecond)));
  }

  private Future<Void> applyAll(SqlConnection tx, EventBatch batch) {
    Future<Void> chain = Future.succeededFuture();
    for (EventHandler handler : handlers) {
      chain = chain.compose(v -> timed(handler, tx, batch));
    }
    return chain;
  }

  private Future<Void> timed(EventHandler handler, SqlConnection tx, EventBatch batch) {
    long started = System.nanoTime();
    return handler.apply(tx, batch).onSuccess(v -> metrics.handlerApplied(handler.name(), System.nanoTime() - started));
  }

  static boolean attributableToEvents(Throwable error) {
    if (!(error instanceof PgException pg) || pg.getSqlState() == null) {
      return false;
    }
    String state = pg.getSqlState();
    return state.equals(QUERY_CANCELED) || !TRANSIENT_CLASSES.contains(state.substring(0, 2));
  }

  static String describe(Throwable error) {
    String text = error instanceof PgException pg ? pg.getSqlState() + " " + pg.getErrorMessage() : String.valueOf(error);
    return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH);
  }

  private static List<FailedEvent> concat(List<FailedEvent> a, List<FailedEvent> b) {
    if (a.isEmpty()) {
      return b;
    }
    List<FailedEvent> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
