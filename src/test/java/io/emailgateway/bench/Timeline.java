package io.emailgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A phase's latency over time, in 100 ms slots by the time each request was (meant to be) sent:
 * how many, the slowest, and how many took longer than the p99 target. Percentiles say how much
 * of a run was slow; the timeline says whether it was slow throughout or in stalls, and when.
 */
final class Timeline {
  static final long SLOT_NANOS = 100_000_000;
  private static final long SLOW_MICROS = 50_000;

  private final AtomicLongArray requests;
  private final AtomicLongArray slowest;
  private final AtomicLongArray slow;

  Timeline(double seconds) {
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

  void write(Path file) throws IOException {
    StringBuilder csv = new StringBuilder("second,requests,slowest_ms,over_50_ms\n");
    for (int i = 0; i < requests.length(); i++) {
      if (requests.get(i) > 0) {
        csv.append(String.format("%.1f,%d,%.1f,%d%n", i * SLOT_NANOS / 1e9, requests.get(i), slowest.get(i) / 1000.0,
            slow.get(i)));
      }
    }
    Files.writeString(file, csv);
  }
}
