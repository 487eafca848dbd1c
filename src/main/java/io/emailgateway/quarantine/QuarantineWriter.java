package io.emailgateway.quarantine;

import io.emailgateway.config.AdminSettings;
import io.emailgateway.provider.WebhookRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.pgclient.data.Interval;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps requests refused with 401, without ever letting a flood of forged requests become a
 * flood of database writes. Three bounds, checked in this order, each counted when it drops:
 * the body size, a per-source rate of writes (a one-second window in memory, per process), and
 * the writes waiting for PostgreSQL (shared by every ingest verticle). What passes is written by
 * {@code quarantine_put}, which trims the source to its cap and retention in the same
 * transaction. Fire and forget: the refused sender already has its 401 and never waits for this.
 */
public final class QuarantineWriter {
  private static final Logger LOG = LoggerFactory.getLogger(QuarantineWriter.class);
  private static final String PUT = "SELECT quarantine_put($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

  private final Pool pool;
  private final AdminSettings.Quarantine settings;
  private final QuarantineMetrics metrics;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, RateWindow> windows = new ConcurrentHashMap<>();

  public QuarantineWriter(Pool pool, AdminSettings.Quarantine settings, QuarantineMetrics metrics) {
    this.pool = pool;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Offers a request refused with 401 for {@code reason}; returns whether a write was started. */
  public boolean offer(String provider, WebhookRequest request, String reason) {
    String source = request.sourceId();
    if (!settings.enabled()) {
      return false;
    }
    if (QuarantinedRequest.bodySize(request) > settings.maxBodyBytes()) {
      metrics.write(source, "dropped_too_large");
      return false;
    }
    if (!windows.computeIfAbsent(source, s -> new RateWindow()).tryAcquire(settings.writesPerSecond())) {
      metrics.write(source, "dropped_rate");
      return false;
    }
    if (inFlight.incrementAndGet() > settings.maxWritesInFlight()) {
      inFlight.decrementAndGet();
      metrics.write(source, "dropped_in_flight");
      return false;
    }
    write(provider, request, reason);
    return true;
  }

  private void write(String provider, WebhookRequest request, String reason) {
    String source = request.sourceId();
    pool.preparedQuery(PUT).execute(tuple(provider, request, reason))
        .onComplete(done -> {
          inFlight.decrementAndGet();
          if (done.succeeded()) {
            metrics.write(source, "stored");
          } else {
            metrics.write(source, "failed");
            LOG.warn("source {}: refused request not quarantined: {}", source, done.cause().getMessage());
          }
        });
  }

  private Tuple tuple(String provider, WebhookRequest request, String reason) {
    JsonArray headers = QuarantinedRequest.redactedHeaders(request.headers());
    JsonArray query = request.queryParams() == null ? new JsonArray() : QuarantinedRequest.pairs(request.queryParams());
    return Tuple.of(request.sourceId(), provider, reason, OffsetDateTime.ofInstant(request.receivedAt(), ZoneOffset.UTC),
            request.remoteAddress(), request.contentType(), headers, query)
        .addBuffer(request.body()).addInteger(settings.maxPerSource()).addValue(interval(settings.retention()));
  }

  private static Interval interval(Duration duration) {
    long seconds = duration.getSeconds();
    return Interval.of(0, 0, (int) (seconds / 86_400), (int) (seconds % 86_400 / 3600), (int) (seconds % 3600 / 60),
        (int) (seconds % 60));
  }

  /** A fixed one-second window: cheap, and per source exact enough for a bound on writes. */
  private static final class RateWindow {
    private long second;
    private int count;

    synchronized boolean tryAcquire(int perSecond) {
      long now = System.nanoTime() / 1_000_000_000L;
      if (now != second) {
        second = now;
        count = 0;
      }
      return ++count <= perSecond;
    }
  }
}
