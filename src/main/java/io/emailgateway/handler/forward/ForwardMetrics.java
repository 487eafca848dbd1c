package io.emailgateway.handler.forward;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Meters of the HTTP half of forwarding, labelled by destination (configured, so bounded).
 * Pending and dead counts read the database and live in {@code LagMonitorVerticle}.
 */
public final class ForwardMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  public ForwardMetrics(MeterRegistry registry, List<String> destinations) {
    this.registry = registry;
    for (String destination : destinations) {
      AtomicInteger gauge = new AtomicInteger();
      inFlight.put(destination, gauge);
      Gauge.builder("gateway.forward.in.flight", gauge, AtomicInteger::get)
          .description("Forward requests in flight per destination").tag("destination", destination).register(registry);
    }
  }

  void started(String destination) {
    inFlight.get(destination).incrementAndGet();
  }

  void finished(String destination) {
    inFlight.get(destination).decrementAndGet();
  }

  /** One attempt's outcome: delivered (2xx), failed (will be retried) or dead (out of attempts). */
  void attempt(String destination, String outcome, long nanos) {
    Counter.builder("gateway.forward.attempts").description("Forwarding attempts by outcome")
        .tags("destination", destination, "outcome", outcome).register(registry).increment();
    Timer.builder("gateway.forward.duration").description("One forwarding request, sent to answered")
        .tag("destination", destination).publishPercentileHistogram().register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
