package io.emailgateway.handler;

import io.emailgateway.config.DestinationConfig;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * The database half of forwarding: one {@code deliveries} row per (destination, event) that
 * passes the destination's filters, written in the handler transaction so the work is durable
 * exactly when the event counts as handled. The HTTP half ({@code forward.ForwardVerticle})
 * works from that table on its own schedule, so a slow receiver never holds up these handlers.
 */
public final class DeliveryQueueHandler implements EventHandler {
  static final String ENQUEUE = """
      INSERT INTO deliveries (destination, event_id)
      SELECT $2, e.id
        FROM events e
       WHERE e.id = ANY ($1)
         AND (cardinality($3::text[]) = 0 OR e.type = ANY ($3::text[]))
         AND (cardinality($4::text[]) = 0 OR e.source = ANY ($4::text[]))
       ORDER BY e.id
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
  public Future<Void> apply(SqlConnection tx, Long[] eventIds) {
    List<Tuple> perDestination = destinations.stream()
        .map(d -> Tuple.of(eventIds, d.id(), d.types().toArray(String[]::new), d.sources().toArray(String[]::new)))
        .toList();
    return perDestination.isEmpty() ? Future.succeededFuture()
        : tx.preparedQuery(ENQUEUE).executeBatch(perDestination).mapEmpty();
  }
}
