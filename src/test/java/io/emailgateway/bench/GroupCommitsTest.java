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
    GroupCommits phase = new GroupCommits(10, 30, 1500).minus(new GroupCommits(4, 6, 300));
    assertThat(phase.requestsPerCommit()).isEqualTo(4.0);
    assertThat(phase.eventsPerCommit()).isEqualTo(200.0);
  }
}
