package io.emailgateway.handler;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code soft_bounces} bounded: a soft bounce older than the window plus a grace period can
 * no longer complete a window with new bounces. The grace period covers ESPs that deliver an event
 * days late (they retry for up to about three days). Deletes in chunks so that no statement holds
 * many locks, and repeats while chunks come back full.
 */
public final class SoftBouncePruner extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SoftBouncePruner.class);
  private static final Duration GRACE = Duration.ofDays(3);
  private static final Duration EVERY = Duration.ofMinutes(10);
  private static final int CHUNK = 10_000;

  static final String PRUNE = """
      DELETE FROM soft_bounces
       WHERE ctid = ANY (ARRAY(SELECT ctid FROM soft_bounces
                                WHERE occurred_at < now() - $1::bigint * interval '1 millisecond'
                                LIMIT $2::int))""";

  private final Pool pool;
  private final Duration keep;
  private long timer;

  public SoftBouncePruner(Pool pool, Duration softBounceWindow) {
    this.pool = pool;
    this.keep = softBounceWindow.plus(GRACE);
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(EVERY.toMillis(), id -> prune());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  Future<Integer> prune() {
    return pool.preparedQuery(PRUNE).execute(Tuple.of(keep.toMillis(), CHUNK))
        .compose(rows -> rows.rowCount() == CHUNK ? prune().map(more -> more + CHUNK) : Future.succeededFuture(rows.rowCount()))
        .onFailure(error -> LOG.warn("soft bounces not pruned: {}", error.toString()));
  }
}
