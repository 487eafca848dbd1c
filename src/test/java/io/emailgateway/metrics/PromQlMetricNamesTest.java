package io.emailgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlMetricNamesTest {

  @Test
  void histogramQuantileReadsTheBucketSeriesNotTheGroupingLabels() {
    assertThat(PromQlMetricNames.of(
        "histogram_quantile(0.99, sum by (le, source) (rate(gateway_ack_latency_seconds_bucket{source=~\"$source\"}[5m])))"))
        .containsExactly("gateway_ack_latency_seconds_bucket");
  }

  @Test
  void binaryOperationsWithMatchingModifiersReadBothSides() {
    assertThat(PromQlMetricNames.of("""
        max by (domain, source) (gateway_deliverability_complaint_rate) > 0.001 <= 0.003
        and on (domain, source)
        max by (domain, source) (gateway_deliverability_events{type="delivered"}) >= 1000"""))
        .containsExactly("gateway_deliverability_complaint_rate", "gateway_deliverability_events");
  }

  @Test
  void aggregationModifierAfterTheBodyAndGroupLeftAreNotMetrics() {
    assertThat(PromQlMetricNames.of("sum(rate(a_total[1m])) by (job) / on (job) group_left (version) b_info"))
        .containsExactly("a_total", "b_info");
  }

  @Test
  void stringsNumbersDurationsSubqueriesAndOffsetsAreSkipped() {
    assertThat(PromQlMetricNames.of(
        "deriv(max(x_seconds{a=\"}or[y]\"})[15m:1m]) > 1e3 or vector(0) unless y offset 5m and absent(up{job=~\"g.*\"})"))
        .containsExactly("up", "x_seconds", "y");
  }

  @Test
  void selectorWithNameLabelAndBareKeywordsAreHandled() {
    assertThat(PromQlMetricNames.of("count(up == bool 1) + inf")).containsExactly("up");
  }
}
