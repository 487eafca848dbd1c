package io.emailgateway.bench;

import java.util.BitSet;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one phase of load achieved. Latency is in microseconds: for a closed loop from send to the
 * end of the response, for an open loop from the intended send time (so a stalled server's
 * backlog is counted, not hidden). {@code acked} holds the indices of requests answered 200.
 */
record PhaseResult(long elapsedNanos, int sent, long completed, long acknowledgedRequests, long acknowledgedEvents,
    long newEvents, Map<String, Long> outcomes, Histogram latencyMicros, BitSet acked, boolean ranOut,
    Timeline timeline) {

  double seconds() {
    return elapsedNanos / 1e9;
  }

  double requestsPerSecond() {
    return acknowledgedRequests / seconds();
  }

  double eventsPerSecond() {
    return acknowledgedEvents / seconds();
  }

  long errors() {
    return completed - acknowledgedRequests;
  }

  double latencyMillis(double percentile) {
    return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }
}
