package io.emailgateway.handler.forward;

import io.emailgateway.config.DestinationConfig;
import io.emailgateway.store.Addresses;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP half of forwarding: per destination, keeps up to {@code max_in_flight} requests
 * going, each a leased {@code deliveries} row sent as one signed normalized event. A 2xx deletes
 * the row; anything else (status, timeout, refused connection) schedules a retry with backoff,
 * and the last allowed attempt dead-letters it. The destination's {@code timeout} bounds the whole
 * attempt — connection, request and the complete answer — not just a silence: a receiver that
 * trickles its answer byte by byte is cut off like one that never answers, so it cannot hold a
 * request slot (and its lease) for ever. Deploy one instance per gateway: the limit is per
 * instance of this verticle.
 */
public final class ForwardVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardVerticle.class);
  /** A lease outlives the request by this much, so the result is written before anyone else may claim the row. */
  private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);

  private final DeliveryStore store;
  private final List<Lane> lanes;
  private final Duration pollInterval;
  private final ForwardMetrics metrics;
  private HttpClientAgent client;
  private MessageConsumer<Object> queuedNotices;
  private long pollTimer;
  private Promise<Void> drained;

  /** What a destination answered: its status and {@code Retry-After}, once the whole answer has arrived. */
  record Answer(int status, String retryAfter) {}

  /** One destination's state on this event loop. */
  private static final class Lane {
    final DestinationConfig destination;
    int inFlight;
    boolean claiming;
    boolean wokenWhileClaiming;

    Lane(DestinationConfig destination) {
      this.destination = destination;
    }
  }

  public ForwardVerticle(DeliveryStore store, List<DestinationConfig> destinations, Duration pollInterval,
      ForwardMetrics metrics) {
    this.store = store;
    this.lanes = destinations.stream().map(Lane::new).toList();
    this.pollInterval = pollInterval;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    // The client pools connections per host: destinations on one host share a pool, which must
    // hold all their limits at once or one destination's requests would queue behind another's.
    int connections = lanes.stream().mapToInt(l -> l.destination.maxInFlight()).sum();
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000),
        new PoolOptions().setHttp1MaxSize(connections));
    queuedNotices = vertx.eventBus().localConsumer(Addresses.DELIVERIES_QUEUED, message -> fillAll());
    pollTimer = vertx.setPeriodic(pollInterval.toMillis(), id -> fillAll());
    return queuedNotices.completion().onSuccess(v -> fillAll());
  }

  /** Stops claiming and waits for the requests in flight (each bounded by its timeout) to be recorded. */
  @Override
  public Future<?> stop() {
    drained = Promise.promise();
    vertx.cancelTimer(pollTimer);
    checkDrained();
    return queuedNotices.unregister().compose(v -> drained.future()).onComplete(v -> client.close());
  }

  private void fillAll() {
    lanes.forEach(this::fill);
  }

  private void fill(Lane lane) {
    if (drained != null) {
      return;
    }
    if (lane.claiming) {
      lane.wokenWhileClaiming = true;
      return;
    }
    int free = lane.destination.maxInFlight() - lane.inFlight;
    if (free <= 0) {
      return;
    }
    lane.claiming = true;
    lane.wokenWhileClaiming = false;
    Duration lease = lane.destination.timeout().plus(LEASE_MARGIN);
    store.claim(lane.destination.id(), free, lease).onComplete(claimed -> sendClaimed(lane, claimed));
  }

  /** Claimed rows are leased: they are sent even while stopping, rather than left to wait for their lease. */
  private void sendClaimed(Lane lane, AsyncResult<List<Delivery>> claimed) {
    lane.claiming = false;
    if (claimed.failed()) {
      LOG.warn("cannot claim deliveries for destination {}: {}", lane.destination.id(), claimed.cause().toString());
    } else {
      claimed.result().forEach(delivery -> send(lane, delivery));
      if (lane.wokenWhileClaiming) {
        fill(lane);
      }
    }
    checkDrained();
  }

  private void send(Lane lane, Delivery delivery) {
    lane.inFlight++;
    metrics.started(lane.destination.id());
    DestinationConfig destination = lane.destination;
    Buffer body = delivery.event().toBuffer();
    String id = Long.toString(delivery.eventId());
    long timestamp = System.currentTimeMillis() / 1000;
    long started = System.nanoTime();
    long timeout = destination.timeout().toMillis();
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(destination.url().toString())
        .setFollowRedirects(false)
        .setTimeout(timeout) // waiting for a connection, and any silence; the timer below bounds the rest
        .putHeader("user-agent", "email-webhook-gateway")
        .putHeader("content-type", "application/json")
        .putHeader("webhook-id", id)
        .putHeader("webhook-timestamp", Long.toString(timestamp))
        .putHeader("webhook-signature", WebhookSigner.signature(destination.secrets(), id, timestamp, body.getBytes()));
    client.request(request)
        .compose(sending -> exchange(sending, body, timeout - (System.nanoTime() - started) / 1_000_000, timeout))
        .onComplete(answer -> settle(lane, delivery, answer, System.nanoTime() - started));
  }

  /**
   * Sends the body and reads the whole answer (discarding its body), or resets the request when
   * {@code left} ms pass first — then the attempt fails with a timeout, whatever the reset made
   * of the request or of the answer already under way.
   */
  private Future<Answer> exchange(HttpClientRequest sending, Buffer body, long left, long timeout) {
    TimeoutException late = new TimeoutException("no complete answer within the timeout of " + timeout + " ms");
    if (left <= 0) {
      sending.reset(0, late);
      return Future.failedFuture(late);
    }
    boolean[] expired = {false};
    long deadline = vertx.setTimer(left, id -> {
      expired[0] = true;
      sending.reset(0, late);
    });
    return sending.send(body)
        .compose(response -> response.end().map(v -> new Answer(response.statusCode(), response.getHeader("Retry-After"))))
        .onComplete(done -> vertx.cancelTimer(deadline))
        .recover(error -> Future.failedFuture(expired[0] ? late : error));
  }

  private void settle(Lane lane, Delivery delivery, AsyncResult<Answer> answer, long nanos) {
    DestinationConfig destination = lane.destination;
    Future<Void> recorded;
    if (answer.succeeded() && answer.result().status() / 100 == 2) {
      metrics.attempt(destination.id(), "delivered", nanos);
      recorded = store.delivered(delivery);
    } else {
      recorded = recordFailure(destination, delivery, answer, nanos);
    }
    recorded.onComplete(done -> {
      if (done.failed()) {
        LOG.warn("result of delivery {} to {} not recorded, it will be sent again after its lease: {}",
            delivery.id(), destination.id(), done.cause().toString());
      }
      lane.inFlight--;
      metrics.finished(destination.id());
      fill(lane);
      checkDrained();
    });
  }

  private Future<Void> recordFailure(DestinationConfig destination, Delivery delivery,
      AsyncResult<Answer> answer, long nanos) {
    Integer status = answer.succeeded() ? answer.result().status() : null;
    String error = status != null ? "HTTP " + status : String.valueOf(answer.cause());
    boolean dead = destination.retry().exhausted(delivery.attempt());
    Duration delay = RetryAfter.delay(destination.retry(), delivery.attempt(), answer.succeeded() ? answer.result() : null,
        ThreadLocalRandom.current());
    metrics.attempt(destination.id(), dead ? "dead" : "failed", nanos);
    if (dead) {
      LOG.warn("delivery of event {} to {} dead-lettered after {} attempts: {}", delivery.eventId(), destination.id(),
          delivery.attempt(), error);
    }
    return store.failed(delivery, dead, delay, status, error.length() > 500 ? error.substring(0, 500) : error);
  }

  private void checkDrained() {
    if (drained != null && lanes.stream().allMatch(l -> l.inFlight == 0 && !l.claiming)) {
      drained.tryComplete();
    }
  }
}
