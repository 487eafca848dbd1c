package io.emailgateway.quarantine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code gateway_quarantine_writes_total{source, outcome}}: stored, dropped_rate,
 * dropped_in_flight, dropped_too_large, failed; and {@code gateway_quarantine_reverified_total{source,
 * outcome}}: ingested, still_unauthorized, unparsable, unknown_source, store_unavailable.
 */
public final class QuarantineMetrics {
  private final MeterRegistry registry;

  public QuarantineMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void write(String source, String outcome) {
    Counter.builder("gateway.quarantine.writes").description("Refused (401) requests offered to the quarantine, by outcome")
        .tags("source", source, "outcome", outcome).register(registry).increment();
  }

  void reverified(String source, String outcome) {
    Counter.builder("gateway.quarantine.reverified").description("Quarantined requests checked again, by outcome")
        .tags("source", source, "outcome", outcome).register(registry).increment();
  }
}
