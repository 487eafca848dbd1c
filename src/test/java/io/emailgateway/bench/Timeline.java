package io.emailgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A phase's latency over time, in 100 ms slots by the time each request was (meant to be) sent:
 * how many, the slowest, and how many took longer than the p99 target. Percentiles say how much
 * of a run was slow; the timeline says whether it was slow throughout or in stalls, and when.
 * Written next to what PostgreSQL was doing in the same slot ({@link DatabaseActivity}).
 */
final class Timeline {
  static final long SLOT_NANOS = 100_000_000;
  private static final long SLOW_MICROS = 50_000;

  private final long startNanos;
  private final AtomicLongArray requests;
  private final AtomicLongArray slowest;
  private final AtomicLongArray slow;

  /** {@code startNanos}: the phase's start on {@link System#nanoTime()}'s clock, slot 0's beginning. */
  Timeline(double seconds, long startNanos) {
    this.startNanos = startNanos;
    int slots = (int) Math.ceil(seconds * 1e9 / SLOT_NANOS) + 1;
    requests = new AtomicLongArray(slots);
    slowest = new AtomicLongArray(slots);
    slow = new AtomicLongArray(slots);
  }

  /** A request meant to be sent {@code offsetNanos} into the phase took {@code micros}. */
  void record(long offsetNanos, long micros) {
    int slot = (int) Math.min(requests.length() - 1, Math.max(0, offsetNanos / SLOT_NANOS));
    requests.incrementAndGet(slot);
    slowest.accumulateAndGet(slot, micros, Math::max);
    if (micros > SLOW_MICROS) {
      slow.incrementAndGet(slot);
    }
  }

  /** Slots that took more than the target, as a share of all slots that sent anything. */
  double slowSlotShare() {
    int used = 0;
    int slowSlots = 0;
    for (int i = 0; i < requests.length(); i++) {
      if (requests.get(i) > 0) {
        used++;
        slowSlots += slow.get(i) > 0 ? 1 : 0;
      }
    }
    return used == 0 ? 0 : (double) slowSlots / used;
  }

  /**
   * One line per slot that sent anything: the latency columns, then the database's activity
   * sampled in that slot (empty when no sample fell in it; counts summed, WAL since the previous
   * sample). Returns the lines to print: when slot 0 began (UTC, for the GC logs), and for the slow
   * slots and the others, the group commits found per sample on CPU, waiting for the WAL or for
   * something else, and the share of samples that found a handler statement running.
   */
  List<String> write(Path file, List<DatabaseActivity.Sample> activity, String phase) throws IOException {
    int slots = requests.length();
    DatabaseActivity.Sample[] bySlot = new DatabaseActivity.Sample[slots];
    int[] samplesIn = new int[slots];
    int[] withHandler = new int[slots];
    long[] walBytes = new long[slots];
    DatabaseActivity.Sample previous = null;
    for (DatabaseActivity.Sample sample : activity) {
      long offset = sample.nanos() - startNanos;
      if (offset >= 0 && offset / SLOT_NANOS < slots) {
        int slot = (int) (offset / SLOT_NANOS);
        bySlot[slot] = bySlot[slot] == null ? sample : sum(bySlot[slot], sample);
        samplesIn[slot]++;
        withHandler[slot] += sample.handlers() > 0 ? 1 : 0;
        if (previous != null) {
          walBytes[slot] += sample.walBytes() - previous.walBytes();
        }
      }
      previous = sample;
    }
    StringBuilder csv = new StringBuilder("second,requests,slowest_ms,over_50_ms,"
        + "commits_on_cpu,commits_on_wal,commits_waiting_else,else_wait,handler_statements,checkpointer,wal_kb\n");
    long[][] found = new long[2][5]; // [slow?][samples, on cpu, on wal, else, samples with a handler running]
    for (int i = 0; i < slots; i++) {
      if (requests.get(i) == 0) {
        continue;
      }
      csv.append(String.format("%.1f,%d,%.1f,%d,", i * SLOT_NANOS / 1e9, requests.get(i), slowest.get(i) / 1000.0,
          slow.get(i)));
      DatabaseActivity.Sample s = bySlot[i];
      if (s == null) {
        csv.append(",,,,,,\n");
        continue;
      }
      csv.append(String.format("%d,%d,%d,%s,%d,%s,%d%n", s.persistOnCpu(), s.persistOnWal(), s.persistWaitingElse(),
          s.elseWait(), s.handlers(), s.checkpointer(), walBytes[i] / 1024));
      long[] tally = found[slow.get(i) > 0 ? 1 : 0];
      tally[0] += samplesIn[i];
      tally[1] += s.persistOnCpu();
      tally[2] += s.persistOnWal();
      tally[3] += s.persistWaitingElse();
      tally[4] += withHandler[i];
    }
    Files.writeString(file, csv);
    List<String> lines = new ArrayList<>();
    lines.add(String.format("%-14s slot 0 began at %s (UTC, for the GC logs)", phase,
        Instant.ofEpochMilli(System.currentTimeMillis() - (System.nanoTime() - startNanos) / 1_000_000)));
    for (int slowSlots = 1; slowSlots >= 0; slowSlots--) {
      long[] t = found[slowSlots];
      if (t[0] > 0) {
        lines.add(String.format("%-14s %s slots (%d samples): group commits per sample on CPU %.2f, waiting for WAL %.2f,"
            + " waiting else %.2f; a handler statement running in %.0f %% of samples", phase,
            slowSlots == 1 ? "slow" : "fast", t[0], (double) t[1] / t[0], (double) t[2] / t[0], (double) t[3] / t[0],
            100.0 * t[4] / t[0]));
      }
    }
    return lines;
  }

  private static DatabaseActivity.Sample sum(DatabaseActivity.Sample a, DatabaseActivity.Sample b) {
    return new DatabaseActivity.Sample(b.nanos(), a.persistOnCpu() + b.persistOnCpu(), a.persistOnWal() + b.persistOnWal(),
        a.persistWaitingElse() + b.persistWaitingElse(), b.elseWait().isEmpty() ? a.elseWait() : b.elseWait(),
        a.handlers() + b.handlers(), b.checkpointer().isEmpty() ? a.checkpointer() : b.checkpointer(), b.walBytes());
  }
}
