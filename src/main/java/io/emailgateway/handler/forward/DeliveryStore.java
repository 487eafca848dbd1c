package io.emailgateway.handler.forward;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code deliveries} table as the forwarder uses it. A claim is a lease, not a lock held
 * across the HTTP call: it bumps {@code attempts} and pushes {@code next_attempt_at} past the
 * request timeout, in one short statement. If the gateway dies mid-request the lease runs out and
 * any instance sends again (at-least-once). Results are written only by the attempt that still
 * owns the row, so a late answer of a superseded attempt cannot undo a newer claim.
 */
public final class DeliveryStore {
  static final String CLAIM = """
      UPDATE deliveries d
         SET attempts = d.attempts + 1, next_attempt_at = now() + $3::bigint * interval '1 millisecond'
        FROM events e
       WHERE d.id IN (SELECT id FROM deliveries
                       WHERE destination = $1 AND state = 'pending' AND next_attempt_at <= now()
                       ORDER BY next_attempt_at, id
                       LIMIT $2::int
                         FOR UPDATE SKIP LOCKED)
         AND e.id = d.event_id
      RETURNING d.id AS delivery_id, d.attempts, %s""".formatted(EventJson.COLUMNS);

  static final String DELIVERED = "DELETE FROM deliveries WHERE id = $1 AND attempts = $2";

  static final String FAILED = """
      UPDATE deliveries
         SET state = CASE WHEN $3 THEN 'dead' ELSE 'pending' END,
             dead_at = CASE WHEN $3 THEN now() END,
             next_attempt_at = now() + $4::bigint * interval '1 millisecond',
             last_status = $5, last_error = $6
       WHERE id = $1 AND attempts = $2""";

  static final String REDELIVER_DEAD = "SELECT redeliver_dead($1)";
  static final String REDELIVER_EVENT = "SELECT redeliver_event($1, $2)";

  private final Pool pool;

  public DeliveryStore(Pool pool) {
    this.pool = pool;
  }

  /** Up to {@code limit} due deliveries of one destination, leased for {@code lease}. */
  Future<List<Delivery>> claim(String destination, int limit, Duration lease) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(destination, limit, lease.toMillis())).map(rows -> {
      List<Delivery> claimed = new ArrayList<>(rows.size());
      for (Row row : rows) {
        claimed.add(new Delivery(row.getLong("delivery_id"), row.getInteger("attempts"), row.getLong("event_id"),
            EventJson.from(row)));
      }
      return claimed;
    });
  }

  Future<Void> delivered(Delivery delivery) {
    return pool.preparedQuery(DELIVERED).execute(Tuple.of(delivery.id(), delivery.attempt())).mapEmpty();
  }

  /** Records a failed attempt: retried after {@code retryIn}, or dead-lettered when {@code dead}. */
  Future<Void> failed(Delivery delivery, boolean dead, Duration retryIn, Integer status, String error) {
    return pool.preparedQuery(FAILED)
        .execute(Tuple.of(delivery.id(), delivery.attempt(), dead, retryIn.toMillis(), status, error)).mapEmpty();
  }

  /** Manual redelivery: every dead delivery of {@code destination} (null = all) gets a fresh attempt budget. */
  public Future<Integer> redeliverDead(String destination) {
    return pool.preparedQuery(REDELIVER_DEAD).execute(Tuple.of(destination)).map(rows -> rows.iterator().next().getInteger(0));
  }

  /** Manual redelivery of one event to one destination, delivered before or not. */
  public Future<Void> redeliverEvent(long eventId, String destination) {
    return pool.preparedQuery(REDELIVER_EVENT).execute(Tuple.of(eventId, destination)).mapEmpty();
  }
}
