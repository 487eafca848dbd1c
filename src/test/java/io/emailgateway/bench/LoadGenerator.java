package io.emailgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Sends pre-signed requests to one URL, closed-loop (N connections, each sending its next request
 * when the previous answer arrived) or open-loop (a fixed schedule of send times, whatever the
 * server does; each latency is measured from the request's intended send time, so waiting for a
 * free connection counts — no coordinated omission). Every phase is bounded by its duration and
 * by the requests its source holds.
 */
final class LoadGenerator implements AutoCloseable {
  private static final long REQUEST_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final HttpClientAgent client;

  LoadGenerator(Vertx vertx, int maxConnections, int eventLoops) {
    this.vertx = vertx;
    // Idle connections are closed by the client after 20 s, before the gateway closes them after
    // http.request_timeout (30 s): otherwise a request sent just as the gateway closes an idle
    // connection fails with HttpClosedException (the soak saw one), as with any keep-alive server.
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(20),
        new PoolOptions().setHttp1MaxSize(maxConnections).setEventLoopSize(eventLoops));
  }

  /**
   * Closed loop: {@code connections} requests outstanding until {@code seconds} have passed or the
   * source runs out. With {@code cycle}, indices wrap around (for a ceiling server that stores nothing).
   * With {@code checkAck}, a 200 whose counts do not add up to the request's events is an error.
   */
  PhaseResult closed(String url, RequestSource source, int connections, double seconds, boolean cycle, boolean checkAck) {
    Phase phase = new Phase(url, source, checkAck, seconds);
    long deadline = phase.start + (long) (seconds * 1e9);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger running = new AtomicInteger(connections);
    Promise<Void> done = Promise.promise();
    for (int c = 0; c < connections; c++) {
      vertx.getOrCreateContext().runOnContext(v -> closedLoop(phase, next, deadline, cycle, running, done));
    }
    return phase.await(done.future(), seconds);
  }

  private void closedLoop(Phase phase, AtomicInteger next, long deadline, boolean cycle, AtomicInteger running,
      Promise<Void> done) {
    int index = next.getAndIncrement();
    if (!cycle && index >= phase.source.size()) {
      phase.ranOut = true;
    }
    if (System.nanoTime() >= deadline || phase.ranOut) {
      if (running.decrementAndGet() == 0) {
        done.complete();
      }
      return;
    }
    int actual = cycle ? index % phase.source.size() : index;
    long sent = System.nanoTime();
    phase.send(actual, phase.source.get(actual), sent).onComplete(v -> closedLoop(phase, next, deadline, cycle, running, done));
  }

  /**
   * Open loop at {@code rate} requests per second for {@code seconds}: a 1 ms timer sends every
   * request whose intended time has come; the phase ends when all sent requests are answered.
   */
  PhaseResult open(String url, RequestSource source, double rate, double seconds, boolean checkAck) {
    Phase phase = new Phase(url, source, checkAck, seconds);
    long interval = (long) (1e9 / rate);
    int total = (int) Math.min(source.size(), Math.round(rate * seconds));
    AtomicInteger scheduled = new AtomicInteger();
    AtomicLong outstanding = new AtomicLong(1); // the schedule itself, released when it ends
    Promise<Void> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> vertx.setPeriodic(1, timer -> {
      long now = System.nanoTime();
      int due = (int) Math.min(total, (now - phase.start) / interval + 1);
      while (scheduled.get() < due) {
        int index = scheduled.get();
        Presigned request = source.get(index);
        if (request == null) {
          break; // not signed yet: sent late, and the lateness is counted in its latency
        }
        scheduled.incrementAndGet();
        outstanding.incrementAndGet();
        phase.send(index, request, phase.start + index * interval).onComplete(r -> {
          if (outstanding.decrementAndGet() == 0) {
            done.tryComplete();
          }
        });
      }
      if (scheduled.get() >= total) {
        vertx.cancelTimer(timer);
        phase.ranOut = total < Math.round(rate * seconds);
        if (outstanding.decrementAndGet() == 0) {
          done.tryComplete();
        }
      }
    }));
    return phase.await(done.future(), seconds);
  }

  @Override
  public void close() {
    client.close().await();
  }

  /** The counters of one phase, shared by the event loops that run it. */
  private final class Phase {
    final String url;
    final RequestSource source;
    final boolean checkAck;
    final long start = System.nanoTime();
    final Recorder latency = new Recorder(3);
    final Timeline timeline;
    final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    final LongAdder completed = new LongAdder();
    final LongAdder ackedRequests = new LongAdder();
    final LongAdder ackedEvents = new LongAdder();
    final LongAdder newEvents = new LongAdder();
    final BitSet acked = new BitSet();
    final AtomicInteger sent = new AtomicInteger();
    volatile boolean ranOut;

    Phase(String url, RequestSource source, boolean checkAck, double seconds) {
      this.timeline = new Timeline(seconds, start);
      this.url = url;
      this.source = source;
      this.checkAck = checkAck;
    }

    /** Sends request {@code index}; latency counts from {@code since}. Never fails. */
    Future<Void> send(int index, Presigned request, long since) {
      sent.incrementAndGet();
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
          .setHeaders(request.headers()).setTimeout(REQUEST_TIMEOUT_MS);
      return client.request(options)
          .compose(http -> http.send(request.body()))
          .compose(response -> response.body().map(body -> {
            record(index, request, response.statusCode(), body);
            return (Void) null;
          }))
          .otherwise(error -> {
            outcome(error instanceof java.util.concurrent.TimeoutException
                || String.valueOf(error.getMessage()).contains("timeout") ? "timeout" : error.getClass().getSimpleName());
            return null;
          })
          .onComplete(v -> {
            long micros = Math.max(0, (System.nanoTime() - since) / 1000);
            latency.recordValue(micros);
            timeline.record(since - start, micros);
            completed.increment();
          });
    }

    private void record(int index, Presigned request, int status, Buffer body) {
      if (status != 200) {
        outcome(Integer.toString(status));
        return;
      }
      int accepted = request.events();
      if (checkAck) {
        JsonObject counts = new JsonObject(body);
        accepted = counts.getInteger("accepted", -1);
        if (accepted + counts.getInteger("duplicates", -1) != request.events()) {
          outcome("200-miscounted");
        }
      }
      synchronized (acked) {
        acked.set(index);
      }
      ackedRequests.increment();
      ackedEvents.add(request.events());
      newEvents.add(accepted);
    }

    private void outcome(String name) {
      outcomes.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    /** Waits for the phase's last answer: its duration, then at most twice the request timeout. */
    PhaseResult await(Future<Void> done, double seconds) {
      try {
        done.toCompletionStage().toCompletableFuture().get(Math.round(seconds * 1000) + REQUEST_TIMEOUT_MS * 2,
            TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("load phase did not finish", e);
      }
      long elapsed = System.nanoTime() - start;
      Map<String, Long> counts = new TreeMap<>();
      outcomes.forEach((name, count) -> counts.put(name, count.sum()));
      BitSet ackedCopy;
      synchronized (acked) {
        ackedCopy = (BitSet) acked.clone();
      }
      return new PhaseResult(elapsed, sent.get(), completed.sum(), ackedRequests.sum(), ackedEvents.sum(),
          newEvents.sum(), counts, latency.getIntervalHistogram(), ackedCopy, ranOut, timeline);
    }
  }
}
