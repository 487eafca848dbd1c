package io.emailgateway.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL connection, used for one piece of work at a time and never trusted longer than
 * a limit. statement_timeout bounds a slow server, not one that never answers: over a
 * partitioned network, or through a proxy or a frozen host that keeps the socket open, a
 * transaction waits forever — and a pooled connection cannot be closed, only given back, so a
 * pool slowly fills with them and the gateway never recovers. Here, work that fails or outlives
 * its limit closes the socket (the server rolls the transaction back; the caller answers 503 and
 * the ESP retries), and the next piece of work connects afresh. Meant for one verticle; work
 * given to it while other work runs is pipelined on the same connection.
 */
public final class BoundedConnection {
  private static final Logger LOG = LoggerFactory.getLogger(BoundedConnection.class);
  private final Vertx vertx;
  private final PgConnectOptions options;
  private Future<PgConnection> current;

  public BoundedConnection(Vertx vertx, PgConnectOptions options) {
    this.vertx = vertx;
    this.options = options;
  }

  /** Runs {@code work} on the connection (connecting first if needed), failing after {@code limit} at the latest. */
  public <T> Future<T> run(Duration limit, Function<PgConnection, Future<T>> work) {
    Future<PgConnection> connection = connection();
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(limit.toMillis(), id -> {
      if (result.tryFail(new TimeoutException("no answer from PostgreSQL within " + limit.toMillis() + " ms"))) {
        discard(connection);
      }
    });
    connection.compose(work).onComplete(outcome -> {
      vertx.cancelTimer(timer);
      if (outcome.failed()) {
        discard(connection);
      }
      if (outcome.succeeded()) {
        result.tryComplete(outcome.result());
      } else {
        result.tryFail(outcome.cause());
      }
    });
    return result.future();
  }

  private synchronized Future<PgConnection> connection() {
    if (current == null) {
      Future<PgConnection> connecting = PgConnection.connect(vertx, options);
      current = connecting;
      connecting.onSuccess(connection -> connection.closeHandler(v -> forget(connecting))
          // Without a handler the client prints an idle connection's error (a server shutting
          // down, an administrator's pg_terminate_backend) to stderr; the next piece of work
          // connects afresh either way.
          .exceptionHandler(error -> LOG.warn("PostgreSQL connection lost while idle: {}", error.getMessage())));
    }
    return current;
  }

  /** Closes the socket now, or as soon as a connect still in progress completes. */
  private void discard(Future<PgConnection> connection) {
    forget(connection);
    connection.onSuccess(PgConnection::close);
  }

  private synchronized void forget(Future<PgConnection> connection) {
    if (current == connection) {
      current = null;
    }
  }

  /** Closes the connection, if any. */
  public Future<Void> close() {
    Future<PgConnection> connection;
    synchronized (this) {
      connection = current;
      current = null;
    }
    return connection == null ? Future.succeededFuture() : connection.compose(PgConnection::close).otherwiseEmpty();
  }
}
