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
 * Group commit. Requests queue while transactions are in flight; a store that is free takes
 * everything queued (up to {@code max_batch_events}) into its next transaction, and each request
 * gets its reply only after that transaction's COMMIT. So the database sees one INSERT per round
 * trip however many requests arrive, and an ack always means durable.
 *
 * <p>The stores ({@code persist.instances}, each on its own connection) share one queue. The
 * first transaction goes in flight whenever anything waits; one beside it only once at least
 * {@code persist.parallel_min_events} events wait (or a full batch, when {@code max_batch_events}
 * is the smaller). A second writer pays off when batches are
 * large (two backends insert while one flushes the WAL); for single-event requests it would
 * split a handful of events across two commits, each paying the commit's cost for half of them.
 *
 * <p>A request that waited longer than {@code queue_timeout} is refused (503) without being
 * written, so a request the gateway answered 503 is never stored behind the caller's back.
 */
public final class PersistVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PersistVerticle.class);

  private final List<Writer> writers;
  private final PersistSettings settings;
  private final GatewayMetrics metrics;
  private final PersistPressure pressure;
  private final int parallelMinEvents;
  private final ArrayDeque<Message<PersistRequest>> queue = new ArrayDeque<>();
  private int queuedEvents;
  private MessageConsumer<PersistRequest> consumer;
  private Promise<Void> drained;

  /** One writer per store; each store is used by one transaction at a time. */
  public PersistVerticle(List<? extends BatchWriter> stores, PersistSettings settings, GatewayMetrics metrics, PersistPressure pressure) {
    this.writers = stores.stream().map(Writer::new).toList();
    this.settings = settings;
    this.metrics = metrics;
    this.pressure = pressure;
    this.parallelMinEvents = Math.min(settings.parallelMinEvents(), settings.maxBatchEvents());
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().localConsumer(Addresses.EVENTS_PERSIST, this::enqueue);
    return consumer.completion();
  }

  /** Stops taking requests, finishes every queued and in-flight one, then closes the connections. */
  @Override
  public Future<?> stop() {
    drained = Promise.promise();
    return consumer.unregister()
        .compose(v -> {
          dispatch();
          return drained.future();
        })
        .compose(v -> Future.join(writers.stream().map(writer -> writer.store.close()).toList()))
        .mapEmpty();
  }

  private void enqueue(Message<PersistRequest> message) {
    queue.add(message);
    queuedEvents += message.body().events().size();
    dispatch();
  }

  /** Starts a transaction on each free writer the queue justifies (see the class comment). */
  private void dispatch() {
    for (Writer writer : writers) {
      if (queue.isEmpty() || anyWriting() && queuedEvents < parallelMinEvents) {
        break;
      }
      if (!writer.writing) {
        List<Message<PersistRequest>> batch = takeBatch();
        if (!batch.isEmpty()) {
          write(writer, batch);
        }
      }
    }
    publishOldest();
    if (drained != null && !anyWriting() && queue.isEmpty()) {
      drained.tryComplete();
    }
  }

  private void write(Writer writer, List<Message<PersistRequest>> batch) {
    writer.writing = true;
    writer.inFlightSince = batch.get(0).body().enqueuedAtNanos();
    long started = System.nanoTime();
    List<PersistRequest> requests = new ArrayList<>(batch.size());
    int eventCount = 0;
    for (Message<PersistRequest> message : batch) {
      PersistRequest request = message.body();
      requests.add(request);
      eventCount += request.events().size();
      metrics.persistQueued(started - request.enqueuedAtNanos());
    }
    int events = eventCount;
    writer.store.insert(requests)
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
        .onComplete(done -> {
          writer.writing = false;
          dispatch();
        });
  }

  /** The enqueue time of the oldest request held, queued or in a transaction; 0 when idle. */
  private void publishOldest() {
    long since = queue.isEmpty() ? 0 : queue.peek().body().enqueuedAtNanos();
    for (Writer writer : writers) {
      if (writer.writing && (since == 0 || writer.inFlightSince - since < 0)) {
        since = writer.inFlightSince;
      }
    }
    pressure.holdingSince(since);
  }

  private boolean anyWriting() {
    for (Writer writer : writers) {
      if (writer.writing) {
        return true;
      }
    }
    return false;
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
      queuedEvents -= size;
      if (next.body().enqueuedAtNanos() - deadline < 0) {
        metrics.persistFailure("queue_timeout");
        next.fail(503, "queued too long");
        continue;
      }
      batch.add(next);
      events += size;
    }
    return batch;
  }

  /** A store, whether a transaction is in flight on it, and the enqueue time of that transaction's oldest request. */
  private static final class Writer {
    private final BatchWriter store;
    private boolean writing;
    private long inFlightSince;

    Writer(BatchWriter store) {
      this.store = store;
    }
  }
}
