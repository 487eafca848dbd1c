package io.emailgateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Closes a connection on which no request head arrives within {@code http.request_timeout} of the
 * connection opening or of the previous answer. A sender that trickles header bytes (slowloris)
 * otherwise holds its connection for as long as it likes: the HTTP decoder waits for the end of
 * the head, and a byte now and then defeats an idle timeout. The body has its own deadline
 * ({@link BodyReader}). One instance per ingest verticle, confined to its event loop.
 */
final class ConnectionDeadlines {
  private final Vertx vertx;
  private final long timeoutMillis;
  private final Map<HttpConnection, Long> timers = new HashMap<>();

  ConnectionDeadlines(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.timeoutMillis = timeoutMillis;
  }

  void opened(HttpConnection connection) {
    arm(connection);
    connection.closeHandler(v -> disarm(connection));
  }

  /** A request head arrived: no deadline while it is handled; the next one starts with its answer. */
  void requestArrived(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    disarm(connection);
    ctx.addEndHandler(v -> {
      if (!ctx.response().closed()) {
        arm(connection);
      }
    });
    ctx.next();
  }

  private void arm(HttpConnection connection) {
    disarm(connection);
    timers.put(connection, vertx.setTimer(timeoutMillis, id -> {
      timers.remove(connection);
      connection.close();
    }));
  }

  private void disarm(HttpConnection connection) {
    Long timer = timers.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }
}
