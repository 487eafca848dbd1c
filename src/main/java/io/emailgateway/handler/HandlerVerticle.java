package io.emailgateway.handler;

import io.emailgateway.config.HandlerSettings;
import io.emailgateway.store.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives an {@link OutboxProcessor}: one transaction at a time, back to back while claims come
 * back full, then idle until the {@code events.stored} notice or the poll timer wakes it. The
 * notice only saves latency; the poll finds everything else (rows committed before a restart,
 * retries coming due, work another instance dropped). When a whole transaction fails the verticle
 * backs off with jitter and wake-ups are ignored until then, so a database outage is not hammered.
 *
 * <p>Ingest comes first: while the persist path is more than {@code yield_to_ingest_after} behind
 * (a campaign's burst), the next transaction is put off, so every core PostgreSQL has goes to the
 * commits the ESPs wait for; the handlers catch up afterwards. Never for longer than
 * {@code poll_interval} since the last transaction started, so a sustained overload still lets
 * them progress (and {@code gateway_outbox_*} shows the backlog).
 */
public final class HandlerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HandlerVerticle.class);

  private final OutboxProcessor processor;
  private final HandlerSettings settings;
  private final HandlerMetrics metrics;
  private final Supplier<Duration> ingestBehind;
  private MessageConsumer<Object> storedNotices;
  private long pollTimer;
  private boolean running;
  private boolean wokenWhileRunning;
  private long backoffUntilNanos;
  private long lastStartNanos;
  private int consecutiveFailures;
  private Promise<Void> stopped;

  public HandlerVerticle(OutboxProcessor processor, HandlerSettings settings, HandlerMetrics metrics) {
    this(processor, settings, metrics, () -> Duration.ZERO);
  }

  /** {@code ingestBehind}: how long the oldest request waiting for its commit has waited. */
  public HandlerVerticle(OutboxProcessor processor, HandlerSettings settings, HandlerMetrics metrics,
      Supplier<Duration> ingestBehind) {
    this.processor = processor;
    this.settings = settings;
    this.metrics = metrics;
    this.ingestBehind = ingestBehind;
  }

  @Override
  public Future<?> start() {
    lastStartNanos = System.nanoTime();
    storedNotices = vertx.eventBus().localConsumer(Addresses.EVENTS_STORED, message -> wake());
    pollTimer = vertx.setPeriodic(settings.pollInterval().toMillis(), id -> wake());
    return storedNotices.completion().onSuccess(v -> wake());
  }

  /** Lets the transaction in flight finish (its COMMIT or ROLLBACK), then stops. */
  @Override
  public Future<?> stop() {
    stopped = Promise.promise();
    vertx.cancelTimer(pollTimer);
    if (!running) {
      stopped.complete();
    }
    return storedNotices.unregister().compose(v -> stopped.future());
  }

  private void wake() {
    if (stopped != null) {
      return;
    }
    if (running) {
      wokenWhileRunning = true;
      return;
    }
    if (System.nanoTime() - backoffUntilNanos < 0) {
      return;
    }
    if (yieldsToIngest()) {
      // The next stored notice, or the poll, asks again.
      metrics.yielded();
      return;
    }
    lastStartNanos = System.nanoTime();
    running = true;
    wokenWhileRunning = false;
    processor.processOnce().onComplete(done -> {
      running = false;
      if (stopped != null) {
        stopped.tryComplete();
      } else if (done.succeeded()) {
        afterSuccess(done.result());
      } else {
        afterFailure(done.cause());
      }
    });
  }

  private boolean yieldsToIngest() {
    Duration threshold = settings.yieldToIngestAfter();
    return !threshold.isZero() && System.nanoTime() - lastStartNanos < settings.pollInterval().toNanos()
        && ingestBehind.get().compareTo(threshold) > 0;
  }

  private void afterSuccess(OutboxProcessor.Outcome outcome) {
    consecutiveFailures = 0;
    if (outcome.rows() > 0) {
      vertx.eventBus().publish(Addresses.DELIVERIES_QUEUED, outcome.events());
    }
    if (outcome.more() || wokenWhileRunning) {
      vertx.runOnContext(v -> wake());
    }
  }

  private void afterFailure(Throwable error) {
    consecutiveFailures++;
    Duration delay = settings.retry().delay(consecutiveFailures, ThreadLocalRandom.current());
    backoffUntilNanos = System.nanoTime() + delay.toNanos();
    metrics.batchFailed(HandlerChain.attributableToEvents(error) ? "statement" : "unavailable");
    LOG.warn("handler transaction rolled back ({} in a row), retrying in {} ms: {}", consecutiveFailures,
        delay.toMillis(), HandlerChain.describe(error));
    vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
      backoffUntilNanos = System.nanoTime();
      wake();
    });
  }
}
