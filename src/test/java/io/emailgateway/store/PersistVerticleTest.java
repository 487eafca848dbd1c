package io.emailgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.config.GatewayConfig.PersistSettings;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The group commit's dispatch: one shared queue, the first transaction whenever anything waits,
 * one beside it only once {@code parallel_min_events} wait, and a drain on stop. The writers are
 * test doubles whose transactions the test completes; the real store is covered by the ingest ITs.
 */
class PersistVerticleTest {
  private static final int PARALLEL_MIN_EVENTS = 10;

  private Vertx vertx;
  private final List<RecordingWriter> writers = List.of(new RecordingWriter(), new RecordingWriter());
  private final List<AsyncResult<PersistResult>> replies = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PersistPressure pressure = new PersistPressure();
  private String deployment;

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().registerDefaultCodec(PersistRequest.class, new LocalCodec<>(PersistRequest.class));
    vertx.eventBus().registerDefaultCodec(PersistResult.class, new LocalCodec<>(PersistResult.class));
    PersistSettings settings = new PersistSettings(2, PARALLEL_MIN_EVENTS, 50, Duration.ofSeconds(5), Duration.ofSeconds(5));
    deployment = vertx.deployVerticle(new PersistVerticle(writers, settings, new GatewayMetrics(registry),
        pressure)).await(5, TimeUnit.SECONDS);
  }

  /** Commits whatever a test left in flight or queued, so the drain on undeploy can finish. */
  @AfterEach
  void close() throws Exception {
    Future<Void> closed = vertx.close();
    long deadline = System.currentTimeMillis() + 5_000;
    while (!closed.isComplete() && System.currentTimeMillis() < deadline) {
      for (RecordingWriter writer : writers) {
        for (int i = 0; i < writer.batches.size(); i++) {
          writer.commit(i);
        }
      }
      Thread.sleep(20);
    }
    closed.await(1, TimeUnit.SECONDS);
  }

  @Test
  void smallRequestsQueueBehindOneTransactionAndGoTogetherIntoTheNext() throws Exception {
    send(1);
    awaitBatches(0, 1);
    send(1);
    send(1);
    send(1);
    Thread.sleep(100);

    assertThat(writers.get(1).batches).as("3 events wait, fewer than parallel_min_events").isEmpty();
    writers.get(0).commit(0);
    awaitBatches(0, 2);
    assertThat(writers.get(0).batches.get(1).batch()).hasSize(3);
    assertThat(writers.get(1).batches).isEmpty();
    writers.get(0).commit(1);
    awaitReplies(4);
  }

  @Test
  void eachRequestsWaitForItsTransactionIsRecorded() throws Exception {
    send(1);
    awaitBatches(0, 1);
    send(1);
    Thread.sleep(150);
    writers.get(0).commit(0);
    awaitBatches(0, 2);

    Timer wait = registry.get("gateway.persist.queue.wait").timer();
    assertThat(wait.count()).isEqualTo(2);
    assertThat(wait.max(TimeUnit.MILLISECONDS)).as("the second request waited behind the first transaction")
        .isGreaterThanOrEqualTo(150);
    assertThat(wait.totalTime(TimeUnit.MILLISECONDS) - wait.max(TimeUnit.MILLISECONDS)).as("the first went at once")
        .isLessThan(150);
    writers.get(0).commit(1);
    awaitReplies(2);
  }

  @Test
  void thePressureIsTheAgeOfTheOldestRequestHeldInFlightOrQueuedAndZeroWhenIdle() throws Exception {
    assertThat(pressure.oldestWait()).isZero();
    send(1);
    awaitBatches(0, 1);
    Thread.sleep(200);
    send(1);
    Thread.sleep(50);
    assertThat(pressure.oldestWait()).as("the request in flight, not the newer one queued")
        .isGreaterThanOrEqualTo(Duration.ofMillis(250));

    writers.get(0).commit(0);
    awaitBatches(0, 2);
    awaitReplies(1);
    assertThat(pressure.oldestWait()).as("the queued one, now in flight").isLessThan(Duration.ofMillis(250));
    writers.get(0).commit(1);
    awaitReplies(2);
    long deadline = System.currentTimeMillis() + 5_000;
    while (!pressure.oldestWait().isZero()) {
      assertThat(System.currentTimeMillis()).as("idle again").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void aSecondTransactionGoesInFlightOnceEnoughEventsWait() throws Exception {
    send(1);
    awaitBatches(0, 1);
    send(4);
    Thread.sleep(100);
    assertThat(writers.get(1).batches).as("4 events wait").isEmpty();
    send(6);

    awaitBatches(1, 1);
    assertThat(writers.get(1).batches.get(0).batch()).extracting(r -> r.events().size()).containsExactly(4, 6);
    writers.get(1).commit(0);
    writers.get(0).commit(0);
    awaitReplies(3);
    assertThat(replies).allMatch(AsyncResult::succeeded);
  }

  @Test
  void aBatchStopsAtMaxBatchEventsAndTheRestWaitsForTheNextFreeWriter() throws Exception {
    send(1);
    awaitBatches(0, 1);
    send(10);
    awaitBatches(1, 1);
    for (int i = 0; i < 6; i++) {
      send(10);
    }
    Thread.sleep(100);

    writers.get(0).commit(0);
    awaitBatches(0, 2);
    assertThat(writers.get(0).batches.get(1).batch()).as("max_batch_events = 50").hasSize(5);
    writers.get(1).commit(0);
    awaitBatches(1, 2);
    assertThat(writers.get(1).batches.get(1).batch()).hasSize(1);
  }

  @Test
  void aFullBatchWaitingStartsASecondTransactionWhenMaxBatchEventsIsBelowTheThreshold() throws Exception {
    vertx.undeploy(deployment).await(5, TimeUnit.SECONDS);
    List<RecordingWriter> small = List.of(new RecordingWriter(), new RecordingWriter());
    PersistSettings settings = new PersistSettings(2, 100, 5, Duration.ofSeconds(5), Duration.ofSeconds(5));
    vertx.deployVerticle(new PersistVerticle(small, settings, new GatewayMetrics(new SimpleMeterRegistry()),
        new PersistPressure())).await(5, TimeUnit.SECONDS);
    send(1);
    awaitBatches(small.get(0), 1);
    for (int i = 0; i < 4; i++) {
      send(1);
    }
    Thread.sleep(100);
    assertThat(small.get(1).batches).as("4 events wait, fewer than a full batch of 5").isEmpty();
    send(1);

    awaitBatches(small.get(1), 1);
    assertThat(small.get(1).batches.get(0).batch()).hasSize(5);
    small.forEach(writer -> writer.commit(0));
  }

  @Test
  void aFailedTransactionAnswers503AndTheNextBatchStillGoes() throws Exception {
    send(1);
    awaitBatches(0, 1);
    send(1);
    writers.get(0).batches.get(0).fail(new IllegalStateException("connection reset"));
    awaitBatches(0, 2);
    writers.get(0).commit(1);
    awaitReplies(2);

    assertThat(((ReplyException) replies.get(0).cause()).failureCode()).isEqualTo(503);
    assertThat(replies.get(1).succeeded()).isTrue();
  }

  @Test
  void stopWritesWhatIsQueuedBeforeClosingTheWriters() throws Exception {
    send(1);
    awaitBatches(0, 1);
    send(1);
    Future<Void> undeployed = vertx.undeploy(deployment);
    Thread.sleep(100);
    assertThat(undeployed.isComplete()).isFalse();

    writers.get(0).commit(0);
    awaitBatches(0, 2);
    assertThat(undeployed.isComplete()).isFalse();
    writers.get(0).commit(1);
    undeployed.await(5, TimeUnit.SECONDS);

    assertThat(replies).hasSize(2).allMatch(AsyncResult::succeeded);
    assertThat(writers).allMatch(writer -> writer.closed);
  }

  private void send(int events) {
    List<EmailEvent> batch = IntStream.range(0, events).mapToObj(i -> event()).toList();
    vertx.eventBus().<PersistResult>request(Addresses.EVENTS_PERSIST, new PersistRequest(batch))
        .map(reply -> reply.body())
        .onComplete(result -> replies.add(result));
  }

  private static EmailEvent event() {
    return EmailEvent.builder("s", "test").eventKey(UUID.randomUUID().toString()).type(EventType.DELIVERED)
        .occurredAt(Instant.EPOCH).espEvent(new JsonObject()).build();
  }

  private void awaitBatches(int writer, int count) throws InterruptedException {
    awaitBatches(writers.get(writer), count);
  }

  private static void awaitBatches(RecordingWriter writer, int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5_000;
    while (writer.batches.size() < count) {
      assertThat(System.currentTimeMillis()).as("a writer to start batch %d", count).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private void awaitReplies(int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5_000;
    while (replies.size() < count) {
      assertThat(System.currentTimeMillis()).as("%d replies", count).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  /** A batch handed to a writer, the promise that commits or fails it, and the verticle's context to do it on. */
  private record Started(List<PersistRequest> batch, Promise<List<PersistResult>> result, Context context) {
    void fail(Throwable error) {
      context.runOnContext(v -> result.tryFail(error));
    }
  }

  /** Records each batch; its transaction ends when the test completes the batch's promise. */
  private final class RecordingWriter implements BatchWriter {
    private final List<Started> batches = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    @Override
    public Future<List<PersistResult>> insert(List<PersistRequest> batch) {
      Promise<List<PersistResult>> result = Promise.promise();
      batches.add(new Started(batch, result, Vertx.currentContext()));
      return result.future();
    }

    void commit(int index) {
      Started started = batches.get(index);
      List<PersistResult> results = new ArrayList<>();
      started.batch().forEach(request -> results.add(new PersistResult(request.events().size(), 0)));
      started.context().runOnContext(v -> started.result().tryComplete(results));
    }

    @Override
    public Future<Void> close() {
      closed = true;
      return Future.succeededFuture();
    }
  }
}
