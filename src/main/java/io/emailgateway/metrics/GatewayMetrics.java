package io.emailgateway.metrics;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's own meters (Vert.x adds its HTTP, event-bus and pool meters to the same
 * registry). Prometheus names: {@code gateway_webhook_requests_total}, {@code gateway_events_total},
 * {@code gateway_events_duplicates_total}, {@code gateway_ack_latency_seconds},
 * {@code gateway_auth_failures_total}, {@code gateway_persist_batch_events},
 * {@code gateway_persist_batch_requests}, {@code gateway_persist_duration_seconds},
 * {@code gateway_persist_failures_total}, {@code gateway_requests_in_flight}, {@code gateway_shed_total}.
 *
 * <p>Counters with a fixed set of labels that alerts watch are registered at zero up front: a
 * counter that first appears at 1 has no earlier sample, so {@code increase()} and {@code rate()}
 * miss its first increment and an alert on "any failure" would never fire for it.
 */
public final class GatewayMetrics {
  /** The reasons {@link #persistFailure} is called with (PersistVerticle). */
  private static final List<String> PERSIST_FAILURE_REASONS = List.of("write_failed", "queue_timeout");
  private static final EventType[] TYPES = EventType.values();

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, AckMeters> ackMeters = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final DistributionSummary batchEvents;
  private final DistributionSummary batchRequests;
  private final Timer persistDuration;
  private final Timer persistQueueWait;

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("gateway.requests.in.flight", inFlight, AtomicInteger::get)
        .description("Webhook requests being handled now").register(registry);
    batchEvents = DistributionSummary.builder("gateway.persist.batch.events")
        .description("Events written by one group commit").publishPercentileHistogram()
        .maximumExpectedValue(100_000.0).register(registry);
    batchRequests = DistributionSummary.builder("gateway.persist.batch.requests")
        .description("Webhook requests acknowledged by one group commit").publishPercentileHistogram()
        .maximumExpectedValue(10_000.0).register(registry);
    persistDuration = Timer.builder("gateway.persist.duration").description("One group commit, BEGIN to COMMIT")
        .publishPercentileHistogram().register(registry);
    persistQueueWait = Timer.builder("gateway.persist.queue.wait")
        .description("A request's wait from its hand-off to the persist verticle until the group commit that stores it begins")
        .publishPercentileHistogram().register(registry);
    PERSIST_FAILURE_REASONS.forEach(this::persistFailureCounter);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The in-flight counter shared by every ingest verticle instance. */
  public AtomicInteger inFlight() {
    return inFlight;
  }

  /** One finished webhook request; {@code outcome} is a short word such as accepted, unauthorized. */
  public void request(String source, String provider, String outcome) {
    requestCounter(source, provider, outcome).increment();
  }

  private Counter requestCounter(String source, String provider, String outcome) {
    return Counter.builder("gateway.webhook.requests").description("Webhook requests by outcome")
        .tags("source", source, "provider", provider, "outcome", outcome).register(registry);
  }

  /**
   * A request answered 200: the request, its events by type, its duplicates, and the time to the
   * ack. Events are counted per type first, so a batch of a thousand costs a few increments, and
   * the meters of a source are looked up once (a builder and registry lookup per meter and request
   * was a visible share of a single-event request's CPU).
   */
  public void acknowledged(String source, String provider, List<EmailEvent> events, int duplicates, Duration latency) {
    AckMeters meters = ackMeters.computeIfAbsent(source, id -> new AckMeters(id, provider));
    meters.accepted.increment();
    int[] perType = new int[TYPES.length];
    for (EmailEvent event : events) {
      perType[event.type().ordinal()]++;
    }
    for (EventType type : TYPES) {
      if (perType[type.ordinal()] > 0) {
        meters.events(type).increment(perType[type.ordinal()]);
      }
    }
    meters.duplicates.increment(duplicates);
    meters.ackLatency.record(latency);
  }

  /** The meters of one source's acknowledged requests (source ids come from the configuration). */
  private final class AckMeters {
    private final String source;
    private final String provider;
    private final Counter accepted;
    private final Counter duplicates;
    private final Timer ackLatency;
    // Filled on first use; a race between event loops registers the same meter twice, harmlessly.
    private final Counter[] events = new Counter[TYPES.length];

    AckMeters(String source, String provider) {
      this.source = source;
      this.provider = provider;
      accepted = requestCounter(source, provider, "accepted");
      duplicates = Counter.builder("gateway.events.duplicates").description("Events already stored")
          .tags("source", source, "provider", provider).register(registry);
      ackLatency = Timer.builder("gateway.ack.latency").description("Request received to 200 sent (after COMMIT)")
          .tags("source", source, "provider", provider).publishPercentileHistogram().register(registry);
    }

    Counter events(EventType type) {
      Counter counter = events[type.ordinal()];
      if (counter == null) {
        counter = Counter.builder("gateway.events").description("Events acknowledged (new or duplicate) by type")
            .tags("source", source, "provider", provider, "type", type.wireName()).register(registry);
        events[type.ordinal()] = counter;
      }
      return counter;
    }
  }

  public void authFailure(String source, String provider, String reason) {
    Counter.builder("gateway.auth.failures").description("Requests refused with 401, by failed check")
        .tags("source", source, "provider", provider, "reason", reason).register(registry).increment();
  }

  /**
   * How long a request waited for a free writer (and the hand-off to the persist verticle): with
   * {@code gateway.persist.duration} and {@code gateway.ack.latency}, it tells a slow commit from a
   * queue behind busy commits from time spent before the hand-off.
   */
  public void persistQueued(long waitedNanos) {
    persistQueueWait.record(waitedNanos, TimeUnit.NANOSECONDS);
  }

  public void batchCommitted(int requests, int events, Duration duration) {
    batchRequests.record(requests);
    batchEvents.record(events);
    persistDuration.record(duration);
  }

  /** A request refused with 503 before its body was read, to keep memory and queues bounded. */
  public void shed(String source, String reason) {
    Counter.builder("gateway.shed").description("Requests shed with 503 by admission control")
        .tags("source", source, "reason", reason).register(registry).increment();
  }

  public void persistFailure(String reason) {
    persistFailureCounter(reason).increment();
  }

  private Counter persistFailureCounter(String reason) {
    return Counter.builder("gateway.persist.failures").description("Group commits or queued requests that failed")
        .tags("reason", reason).register(registry);
  }
}
