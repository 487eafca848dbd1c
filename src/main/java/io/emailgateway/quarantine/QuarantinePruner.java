package io.emailgateway.quarantine;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@code quarantine.retention} for sources that stopped receiving refused requests
 * (a write trims its own source; this catches the rest), every {@link #INTERVAL}, a bounded
 * number of rows at a time so one run never holds a long transaction.
 */
public final class QuarantinePruner extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(QuarantinePruner.class);
  private static final Duration INTERVAL = Duration.ofMinutes(5);
  private static final String PRUNE = "DELETE FROM quarantine WHERE id IN (SELECT id FROM quarantine"
      + " WHERE received_at < now() - make_interval(secs => $1) LIMIT 10000)";

  private final Pool pool;
  private final Duration retention;
  private long timer;

  public QuarantinePruner(Pool pool, Duration retention) {
    this.pool = pool;
    this.retention = retention;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> prune());
    return prune();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Deletes expired rows; never fails the caller (a failed run is logged and the next one tries again). */
  Future<Void> prune() {
    return pool.preparedQuery(PRUNE).execute(Tuple.of((double) retention.getSeconds()))
        .onFailure(error -> LOG.warn("quarantine retention prune failed: {}", error.getMessage()))
        .<Void>mapEmpty()
        .recover(error -> Future.succeededFuture());
  }
}
