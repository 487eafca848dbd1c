package io.emailgateway.quarantine;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.http.Sources;
import io.emailgateway.provider.WebhookException;
import io.emailgateway.provider.WebhookRequest;
import io.emailgateway.store.Addresses;
import io.emailgateway.store.PersistRequest;
import io.emailgateway.store.PersistResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;

/**
 * Checks a quarantined request again with the sources as configured now (after a secret was
 * fixed or rotated) and, when it verifies, ingests it through the same path as a live request:
 * the provider's own authenticate and parse, then the persist verticles' group commit, which
 * deduplicates on {@code (source, event_key)}. Only after that COMMIT is the row removed, so a
 * failure anywhere leaves it in quarantine to try again, and trying twice stores nothing twice.
 * The event time a provider falls back to is the time the request originally arrived.
 */
public final class Reverifier {
  private static final String LOAD = "SELECT id, source, reason, received_at, remote_address, content_type, headers,"
      + " query_params, body FROM quarantine WHERE id = $1";
  private static final String REMOVE = "DELETE FROM quarantine WHERE id = $1";

  /** What became of one reverify: {@code found} false (and no body) when the id is unknown. */
  public record Outcome(boolean found, JsonObject body) {}

  private final Vertx vertx;
  private final Pool pool;
  private final Map<String, Sources.Source> sources;
  private final QuarantineMetrics metrics;
  private final DeliveryOptions persistDelivery;

  public Reverifier(Vertx vertx, Pool pool, Map<String, Sources.Source> sources, QuarantineMetrics metrics,
      long persistTimeoutMillis) {
    this.vertx = vertx;
    this.pool = pool;
    this.sources = sources;
    this.metrics = metrics;
    this.persistDelivery = new DeliveryOptions().setSendTimeout(persistTimeoutMillis);
  }

  public Future<Outcome> reverify(long id) {
    return pool.preparedQuery(LOAD).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(new Outcome(false, null));
      }
      return check(rows.iterator().next()).map(body -> new Outcome(true, body.put("id", id)));
    });
  }

  private Future<JsonObject> check(Row row) {
    String sourceId = row.getString("source");
    Sources.Source source = sources.get(sourceId);
    if (source == null) {
      return Future.succeededFuture(refused(sourceId, "unknown_source", "source is not configured or disabled"));
    }
    WebhookRequest request = new WebhookRequest(sourceId, row.getString("content_type"),
        QuarantinedRequest.multiMap(row.getJsonArray("headers")),
        QuarantinedRequest.multiMap(row.getJsonArray("query_params")), row.getBuffer("body"),
        row.getString("remote_address"), row.getOffsetDateTime("received_at").toInstant());
    return source.provider().authenticate(request)
        .compose(v -> ingest(source, request, row.getLong("id")))
        .recover(error -> Future.succeededFuture(refusal(sourceId, error)));
  }

  private Future<JsonObject> ingest(Sources.Source source, WebhookRequest request, long id) {
    List<EmailEvent> events;
    try {
      events = source.provider().parse(request);
    } catch (WebhookException e) {
      return Future.succeededFuture(refused(source.id(), "unparsable", e.publicMessage()));
    }
    Future<PersistResult> stored = events.isEmpty() ? Future.succeededFuture(new PersistResult(0, 0))
        : vertx.eventBus().<PersistResult>request(Addresses.EVENTS_PERSIST, new PersistRequest(events, source.provider().parserVersion()), persistDelivery)
            .map(reply -> reply.body());
    return stored.compose(result -> pool.preparedQuery(REMOVE).execute(Tuple.of(id)).map(result))
        .map(result -> {
          metrics.reverified(source.id(), "ingested");
          return new JsonObject().put("verified", true).put("ingested", true)
              .put("accepted", result.accepted()).put("duplicates", result.duplicates());
        });
  }

  private JsonObject refusal(String source, Throwable error) {
    if (error instanceof WebhookException webhook && webhook.status() == 401) {
      return refused(source, "still_unauthorized", webhook.reason());
    }
    if (error instanceof WebhookException webhook && webhook.status() == 400) {
      return refused(source, "unparsable", webhook.publicMessage());
    }
    metrics.reverified(source, "store_unavailable");
    throw error instanceof RuntimeException runtime ? runtime : new IllegalStateException(error);
  }

  private JsonObject refused(String source, String outcome, String detail) {
    metrics.reverified(source, outcome);
    return new JsonObject().put("verified", !outcome.equals("still_unauthorized") && !outcome.equals("unknown_source"))
        .put("ingested", false).put("outcome", outcome).put("detail", detail);
  }
}
