package io.emailgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimelineTest {
  private static final long START = 5_000_000_000L;
  private static final long MS = 1_000_000;

  @Test
  void eachSlotHoldsItsLatencyAndTheDatabaseActivitySampledInIt(@TempDir Path dir) throws Exception {
    Timeline timeline = new Timeline(1.0, START);
    timeline.record(10 * MS, 12_000);
    timeline.record(20 * MS, 80_000);
    timeline.record(150 * MS, 30_000);
    timeline.record(250 * MS, 5_000);
    List<DatabaseActivity.Sample> samples = List.of(
        sample(START - 50 * MS, 0, 0, 0, "", 0, "", 1_000_000), // before the phase: only the WAL base
        sample(START + 5 * MS, 2, 1, 1, "LWLock:BufferContent", 1, "", 1_000_000 + 4096),
        sample(START + 105 * MS, 1, 0, 0, "", 0, "CheckpointWriteDelay", 1_000_000 + 4096 + 10_240),
        sample(START + 195 * MS, 0, 2, 0, "", 1, "", 1_000_000 + 4096 + 10_240 + 2048),
        sample(START + 196 * MS, 1, 0, 1, "IO:DataFileRead", 0, "", 1_000_000 + 4096 + 10_240 + 2048 + 1024));
    Path file = dir.resolve("phase.timeline.csv");

    List<String> summary = timeline.write(file, samples, "phase");

    assertThat(Files.readAllLines(file)).containsExactly(
        "second,requests,slowest_ms,over_50_ms,commits_on_cpu,commits_on_wal,commits_waiting_else,else_wait,"
            + "handler_statements,checkpointer,wal_kb",
        "0.0,2,80.0,1,2,1,1,LWLock:BufferContent,1,,4",
        "0.1,1,30.0,0,2,2,1,IO:DataFileRead,1,CheckpointWriteDelay,13",
        "0.2,1,5.0,0,,,,,,,");
    // Slot 0 (slow) holds 1 sample, slot 1 (fast) 3, one of them with a handler running, 2 with none.
    assertThat(summary).hasSize(3);
    assertThat(summary.get(0)).startsWith("phase          slot 0 began at ");
    assertThat(summary.get(1)).isEqualTo("phase          slow slots (1 samples): group commits per sample on CPU 2.00,"
        + " waiting for WAL 1.00, waiting else 1.00; a handler statement running in 100 % of samples");
    assertThat(summary.get(2)).isEqualTo("phase          fast slots (3 samples): group commits per sample on CPU 0.67,"
        + " waiting for WAL 0.67, waiting else 0.33; a handler statement running in 33 % of samples");
  }

  @Test
  void slotsWithoutRequestsAreLeftOutAndTheSlowShareCountsOnlySlotsThatSentAnything() {
    Timeline timeline = new Timeline(1.0, START);
    timeline.record(0, 60_000);
    timeline.record(300 * MS, 1_000);
    assertThat(timeline.slowSlotShare()).isEqualTo(0.5);
  }

  private static DatabaseActivity.Sample sample(long nanos, int onCpu, int onWal, int waitingElse, String elseWait,
      int handlers, String checkpointer, long walBytes) {
    return new DatabaseActivity.Sample(nanos, onCpu, onWal, waitingElse, elseWait, handlers, checkpointer, walBytes);
  }
}
