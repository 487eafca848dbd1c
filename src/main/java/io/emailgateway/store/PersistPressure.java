package io.emailgateway.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far behind the persist path is: the age of the oldest request the persist verticle holds
 * (queued or in its transaction). The ingest verticles read it to shed load early — a 503 with
 * Retry-After before reading the body — when the database is slower than the arrival rate,
 * rather than accepting work that would time out later. A stuck database keeps the age growing,
 * so shedding does not stop just because no batch completes.
 */
public final class PersistPressure {
  private final List<AtomicLong> slots = new CopyOnWriteArrayList<>();

  /** A slot for one persist verticle (one today): the enqueue time (System.nanoTime) of its oldest request, 0 if idle. */
  AtomicLong register() {
    AtomicLong slot = new AtomicLong();
    slots.add(slot);
    return slot;
  }

  void unregister(AtomicLong slot) {
    slots.remove(slot);
  }

  /** The age of the oldest request held by the persist path, zero when all are idle. */
  public Duration oldestWait() {
    long now = System.nanoTime();
    long oldest = 0;
    for (AtomicLong slot : slots) {
      long since = slot.get();
      if (since != 0) {
        oldest = Math.max(oldest, now - since);
      }
    }
    return Duration.ofNanos(oldest);
  }
}
