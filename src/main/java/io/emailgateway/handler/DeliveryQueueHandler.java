package io.emailgateway.handler;

import io.emailgateway.config.DestinationConfig;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The database half of forwarding: one {@code deliveries} row per (destination, event) that
 * passes the destination's filters, written in the handler transaction so the work is durable
 * exactly when the event counts as handled. The HTTP half ({@code forward.ForwardVerticle})
 * works from that table on its own schedule, so a slow receiver never holds up these handlers.
 */
public final class DeliveryQueueHandler implements EventHandler {
  /** The events are those that pass the destination's filters ({@link DestinationConfig#accepts}). */
  static final String ENQUEUE = """
      INSERT INTO deliveries (destination, event_id)
      SELECT $2, u.id
        FROM unnest($1::bigint[]) AS u(id)
       ORDER BY u.id
      ON CONFLICT (destination, event_id) DO NOTHING""";

  private final List<DestinationConfig> destinations;

  public DeliveryQueueHandler(List<DestinationConfig> destinations) {
    this.destinations = List.copyOf(destinations);
  }

  @Override
  public String name() {
    return "forwarding";
  }

  @Override
  public Future<Void> apply(SqlConnection tx, EventBatch batch) {
    List<Tuple> perDestination = new ArrayList<>();
    for (DestinationConfig destination : destinations) {
      Long[] ids = batch.idsWhere(destination::accepts);
      if (ids.length > 0) {
        perDestination.add(Tuple.of(ids, destination.id()));
      }
    }
    return perDestination.isEmpty() ? Future.succeededFuture()
        : tx.preparedQuery(ENQUEUE).executeBatch(perDestination).mapEmpty();
  }
}
