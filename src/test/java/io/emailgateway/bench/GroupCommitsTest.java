package io.emailgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GroupCommitsTest {
  @Test
  void sumsEverySeriesOfTheNamedMetricAndNoMetricWhoseNameOnlyStartsTheSame() {
    String text = """
        # HELP gateway_persist_batch_events Events written by one group commit
        gateway_persist_batch_events_count 10.0
        gateway_persist_batch_events_count_other 99.0
        gateway_persist_batch_events_sum{instance="a"} 1000.0
        gateway_persist_batch_events_sum{instance="b"} 500.0
        gateway_persist_batch_requests_sum 30.0
        """;
    assertThat(GroupCommits.value(text, "gateway_persist_batch_events_count")).isEqualTo(10.0);
    assertThat(GroupCommits.value(text, "gateway_persist_batch_events_sum")).isEqualTo(1500.0);
    assertThat(GroupCommits.value(text, "gateway_missing")).isNaN();
    GroupCommits phase = new GroupCommits(10, 30, 1500, Buckets.NONE, Buckets.NONE, Buckets.NONE)
        .minus(new GroupCommits(4, 6, 300, Buckets.NONE, Buckets.NONE, Buckets.NONE));
    assertThat(phase.requestsPerCommit()).isEqualTo(4.0);
    assertThat(phase.eventsPerCommit()).isEqualTo(200.0);
  }

  @Test
  void aPhasesQuantileComesFromTheDifferenceOfTwoReadingsSummedOverSeries() {
    String before = """
        gateway_ack_latency_seconds_bucket{source="a",le="0.01",} 90.0
        gateway_ack_latency_seconds_bucket{source="a",le="0.1",} 100.0
        gateway_ack_latency_seconds_bucket{source="a",le="+Inf",} 100.0
        gateway_ack_latency_seconds_count{source="a",} 100.0
        """;
    String after = """
        gateway_ack_latency_seconds_bucket{source="a",le="0.01",} 140.0
        gateway_ack_latency_seconds_bucket{source="a",le="0.1",} 190.0
        gateway_ack_latency_seconds_bucket{source="a",le="+Inf",} 200.0
        gateway_ack_latency_seconds_bucket{source="b",le="0.01",} 0.0
        gateway_ack_latency_seconds_bucket{source="b",le="0.1",} 0.0
        gateway_ack_latency_seconds_bucket{source="b",le="+Inf",} 0.0
        """;
    Buckets phase = Buckets.read(after, "gateway_ack_latency_seconds").minus(Buckets.read(before, "gateway_ack_latency_seconds"));
    assertThat(phase.quantile(0.5)).isEqualTo(0.01);
    assertThat(phase.quantile(0.9)).isEqualTo(0.1);
    assertThat(phase.quantile(0.99)).isInfinite();
    assertThat(Buckets.NONE.quantile(0.5)).isNaN();
  }

  @Test
  void theCommitTheWaitForAWriterAndTheAckAreReadFromTheirOwnHistograms() {
    String text = """
        gateway_persist_duration_seconds_bucket{le="0.001",} 10.0
        gateway_persist_duration_seconds_bucket{le="+Inf",} 10.0
        gateway_persist_queue_wait_seconds_bucket{le="0.001",} 0.0
        gateway_persist_queue_wait_seconds_bucket{le="0.05",} 10.0
        gateway_persist_queue_wait_seconds_bucket{le="+Inf",} 10.0
        gateway_ack_latency_seconds_bucket{source="a",le="0.05",} 0.0
        gateway_ack_latency_seconds_bucket{source="a",le="0.1",} 10.0
        gateway_ack_latency_seconds_bucket{source="a",le="+Inf",} 10.0
        """;
    GroupCommits read = GroupCommits.from(text);
    assertThat(read.commitSeconds().quantile(0.5)).isEqualTo(0.001);
    assertThat(read.queueSeconds().quantile(0.5)).isEqualTo(0.05);
    assertThat(read.ackSeconds().quantile(0.5)).isEqualTo(0.1);
  }
}
