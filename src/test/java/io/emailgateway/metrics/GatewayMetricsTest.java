package io.emailgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);

  @Test
  void everyAcknowledgedRequestCountsItsEventsPerTypeDuplicatesAndLatencyUnderItsOwnSource() {
    metrics.acknowledged("a", "sendgrid", List.of(event("a", EventType.DELIVERED), event("a", EventType.OPENED),
        event("a", EventType.DELIVERED)), 1, Duration.ofMillis(5));
    metrics.acknowledged("a", "sendgrid", List.of(event("a", EventType.OPENED)), 0, Duration.ofMillis(7));
    metrics.acknowledged("b", "mailgun", List.of(event("b", EventType.BOUNCED)), 2, Duration.ofMillis(9));

    assertThat(count("gateway.webhook.requests", "a", "outcome", "accepted")).isEqualTo(2);
    assertThat(count("gateway.webhook.requests", "b", "outcome", "accepted")).isEqualTo(1);
    assertThat(count("gateway.events", "a", "type", "delivered")).isEqualTo(2);
    assertThat(count("gateway.events", "a", "type", "opened")).isEqualTo(2);
    assertThat(count("gateway.events", "b", "type", "bounced")).isEqualTo(1);
    assertThat(registry.find("gateway.events").tag("source", "b").tag("type", "opened").counter()).isNull();
    assertThat(registry.get("gateway.events.duplicates").tag("source", "a").counter().count()).isEqualTo(1);
    assertThat(registry.get("gateway.events.duplicates").tag("source", "b").tag("provider", "mailgun").counter().count())
        .isEqualTo(2);
    assertThat(registry.get("gateway.ack.latency").tag("source", "a").timer().count()).isEqualTo(2);
    assertThat(registry.get("gateway.ack.latency").tag("source", "b").timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isEqualTo(9);
  }

  private double count(String name, String source, String tag, String value) {
    return registry.get(name).tag("source", source).tag(tag, value).counter().count();
  }

  private static EmailEvent event(String source, EventType type) {
    return EmailEvent.builder(source, "p").type(type).occurredAt(Instant.parse("2026-11-26T10:00:00Z")).eventKey("k")
        .espEvent(new io.vertx.core.json.JsonObject()).build();
  }
}
