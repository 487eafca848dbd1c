package io.emailgateway.store;

import io.emailgateway.config.GatewayConfig.PersistSettings;
import io.emailgateway.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit. While one transaction is in flight, arriving requests queue; when it finishes,
 * everything queued (up to {@code max_batch_events}) goes into the next transaction, and each
 * request gets its reply only after that transaction's COMMIT. So the database sees one INSERT
 * per round trip however many requests arrive, and an ack always means durable.
 * A request that waited longer than {@code queue_timeout} is refused (503) without being
 * written, so a request the gateway answered 503 is never stored behind the caller's back.
 */
public final class PersistVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PersistVerticle.class);

  private final EventStore store;
  private final PersistSettings settings;
  private final GatewayMetrics metrics;
  private final PersistPressure pressure;
  private final ArrayDeque<Message<PersistRequest>> queue = new ArrayDeque<>();
  private java.util.concurrent.atomic.AtomicLong oldest;
  private long inFlightSince;
  private MessageConsumer<PersistRequest> consumer;
  private boolean writing;
  private Promise<Void> drained;

  public PersistVerticle(EventStore store, PersistSettings settings, GatewayMetrics metrics, PersistPressure pressure) {
    this.store = store;
    this.settings = settings;
    this.metrics = metrics;
    this.pressure = pressure;
  }

  @Override
  public Future<?> start() {
    oldest = pressure.register();
    consumer = vertx.eventBus().localConsumer(Addresses.EVENTS_PERSIST, this::enqueue);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    drained = Promise.promise();
    if (!writing) {
      drained.complete();
    }
    return consumer.unregister().compose(v -> drained.future()).onComplete(v -> pressure.unregister(oldest))
        .compose(v -> store.close());
  }

  private void enqueue(Message<PersistRequest> message) {
    queue.add(message);
    publishOldest();
    if (!writing) {
      writeNextBatch();
    }
  }

  private void writeNextBatch() {
    List<Message<PersistRequest>> batch = takeBatch();
    inFlightSince = batch.isEmpty() ? 0 : batch.get(0).body().enqueuedAtNanos();
    publishOldest();
    if (batch.isEmpty()) {
      writing = false;
      if (drained != null) {
        drained.tryComplete();
      }
      return;
    }
    writing = true;
    long started = System.nanoTime();
    List<PersistRequest> requests = batch.stream().map(Message::body).toList();
    int events = requests.stream().mapToInt(r -> r.events().size()).sum();
    store.insert(requests)
        .onSuccess(results -> {
          metrics.batchCommitted(batch.size(), events, Duration.ofNanos(System.nanoTime() - started));
          for (int i = 0; i < batch.size(); i++) {
            batch.get(i).reply(results.get(i));
          }
          vertx.eventBus().publish(Addresses.EVENTS_STORED, events);
        })
        .onFailure(error -> {
          LOG.error("group commit of {} requests ({} events) failed, answering 503: {}", batch.size(), events, error.toString());
          metrics.persistFailure("write_failed");
          batch.forEach(message -> message.fail(503, "store unavailable"));
        })
        .onComplete(done -> writeNextBatch());
  }

  private void publishOldest() {
    long since = inFlightSince != 0 ? inFlightSince : queue.isEmpty() ? 0 : queue.peek().body().enqueuedAtNanos();
    oldest.set(since);
  }

  /** Queued requests up to the event cap (at least one, whatever its size); stale ones are refused. */
  private List<Message<PersistRequest>> takeBatch() {
    List<Message<PersistRequest>> batch = new ArrayList<>();
    long deadline = System.nanoTime() - settings.queueTimeout().toNanos();
    int events = 0;
    while (!queue.isEmpty()) {
      Message<PersistRequest> next = queue.peek();
      int size = next.body().events().size();
      if (!batch.isEmpty() && events + size > settings.maxBatchEvents()) {
        break;
      }
      queue.poll();
      if (next.body().enqueuedAtNanos() < deadline) {
        metrics.persistFailure("queue_timeout");
        next.fail(503, "queued too long");
        continue;
      }
      batch.add(next);
      events += size;
    }
    return batch;
  }
}
