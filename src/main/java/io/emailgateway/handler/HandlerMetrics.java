package io.emailgateway.handler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Meters of the handler transactions (README "Handlers", metrics). Counts are recorded only after
 * COMMIT, so they match the database. Lag and dead-letter gauges read the database and live in
 * {@link LagMonitorVerticle}.
 */
public final class HandlerMetrics {
  private final MeterRegistry registry;
  private final Timer batchDuration;
  private final Counter applied;
  private final Counter retried;
  private final Counter parked;
  private final Counter yields;

  public HandlerMetrics(MeterRegistry registry) {
    this.registry = registry;
    batchDuration = Timer.builder("gateway.handler.batch.duration")
        .description("One handler transaction that claimed work, BEGIN to COMMIT").publishPercentileHistogram()
        .register(registry);
    applied = events("applied");
    retried = events("retried");
    parked = events("dead");
    yields = Counter.builder("gateway.handler.yields")
        .description("Handler wake-ups that put the next transaction off because ingest was behind (handlers.yield_to_ingest_after)")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  void batchDone(OutboxProcessor.Outcome outcome, long nanos) {
    if (outcome.rows() == 0) {
      return;
    }
    batchDuration.record(nanos, TimeUnit.NANOSECONDS);
    applied.increment(outcome.events() - outcome.retried() - outcome.parked());
    retried.increment(outcome.retried());
    parked.increment(outcome.parked());
  }

  /** One handler's statements for one (sub)batch; with isolation after a failure a handler runs more than once per transaction. */
  void handlerApplied(String handler, long nanos) {
    Timer.builder("gateway.handler.duration").description("One handler's statements within a handler transaction")
        .tag("handler", handler).publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A handler transaction rolled back as a whole (database unreachable, deadlock, …); its rows are retried. */
  void batchFailed(String reason) {
    Counter.builder("gateway.handler.failures").description("Handler transactions rolled back as a whole")
        .tag("reason", reason).register(registry).increment();
  }

  /** A handler transaction put off because ingest was behind (HandlerVerticle). */
  void yielded() {
    yields.increment();
  }

  private Counter events(String outcome) {
    return Counter.builder("gateway.handler.events").description("Events through the handlers by outcome")
        .tag("outcome", outcome).register(registry);
  }
}
