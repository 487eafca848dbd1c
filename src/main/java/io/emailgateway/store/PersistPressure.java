package io.emailgateway.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far behind the persist path is: the age of the oldest request the persist verticle holds
 * (queued or in a transaction). The ingest verticles read it to shed load early — a 503 with
 * Retry-After before reading the body — when the database is slower than the arrival rate,
 * rather than accepting work that would time out later. A stuck database keeps the age growing,
 * so shedding does not stop just because no batch completes.
 */
public final class PersistPressure {
  /** The enqueue time (System.nanoTime) of the oldest request held, 0 when idle. */
  private final AtomicLong oldestSince = new AtomicLong();

  /** Set by the persist verticle whenever what it holds changes; 0: nothing. */
  void holdingSince(long enqueuedAtNanos) {
    oldestSince.set(enqueuedAtNanos);
  }

  /** The age of the oldest request held by the persist path, zero when it is idle. */
  public Duration oldestWait() {
    long since = oldestSince.get();
    return since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
  }
}
