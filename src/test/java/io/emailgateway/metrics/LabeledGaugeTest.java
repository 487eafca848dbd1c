package io.emailgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabeledGaugeTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> removed = new ArrayList<>();
  private final LabeledGauge dead = new LabeledGauge(registry, "gateway.forward.dead", "Dead-lettered deliveries", null);

  LabeledGaugeTest() {
    registry.config().onMeterRemoved(meter -> removed.add(meter.getId().getTag("destination")));
  }

  @Test
  void aRefreshChangesTheValuesOfSeriesThatStayWithoutEverRemovingThem() {
    dead.set(Map.of(tags("crm"), 1.0, tags("erp"), 2.0));
    Gauge crm = gauge("crm");

    dead.set(Map.of(tags("crm"), 5.0, tags("erp"), 2.0));

    assertThat(removed).as("series removed by a refresh that kept them").isEmpty();
    assertThat(gauge("crm")).as("the same registered meter").isSameAs(crm);
    assertThat(crm.value()).isEqualTo(5.0);
    assertThat(gauge("erp").value()).isEqualTo(2.0);
  }

  @Test
  void aSeriesThatIsGoneIsRemovedAndANewOneAdded() {
    dead.set(Map.of(tags("crm"), 1.0, tags("erp"), 2.0));

    dead.set(Map.of(tags("crm"), 1.0, tags("billing"), 7.0));

    assertThat(removed).containsExactly("erp");
    assertThat(registry.find("gateway.forward.dead").gauges()).extracting(g -> g.getId().getTag("destination"))
        .containsExactlyInAnyOrder("crm", "billing");
    assertThat(gauge("billing").value()).isEqualTo(7.0);

    dead.set(Map.of());
    assertThat(registry.find("gateway.forward.dead").gauges()).isEmpty();
  }

  private Gauge gauge(String destination) {
    Meter meter = registry.find("gateway.forward.dead").tag("destination", destination).gauge();
    assertThat(meter).as("series for %s", destination).isNotNull();
    return (Gauge) meter;
  }

  private static Tags tags(String destination) {
    return Tags.of("destination", destination);
  }
}
