package io.emailgateway.bench;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;

/** The requests of one phase, by index: all signed before the phase, or signed a little ahead of use. */
interface RequestSource {
  /** The request at {@code index}, or null if it is not signed yet. */
  Presigned get(int index);

  /** How many requests this source has in all. */
  int size();

  /** Signs {@code count} requests of {@code run} up front, on all cores, before any is sent. */
  static RequestSource presigned(Workload workload, String run, int count) {
    List<Presigned> requests = IntStream.range(0, count).parallel()
        .mapToObj(index -> workload.request(run, index)).toList();
    return new RequestSource() {
      @Override
      public Presigned get(int index) {
        return requests.get(index);
      }

      @Override
      public int size() {
        return requests.size();
      }
    };
  }

  /**
   * Signs on a background thread, at most {@code ahead} requests before the last one taken; for
   * runs too long to hold every request in memory (the soak). Requests must be taken in index order.
   */
  static RequestSource signedAhead(Workload workload, String run, int count, int ahead) {
    AtomicReferenceArray<Presigned> ring = new AtomicReferenceArray<>(ahead);
    AtomicLong taken = new AtomicLong();
    Thread signer = new Thread(() -> {
      for (int index = 0; index < count; index++) {
        while (index - taken.get() >= ahead) {
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        ring.set(index % ahead, workload.request(run, index));
      }
    }, "bench-signer");
    signer.setDaemon(true);
    signer.start();
    return new RequestSource() {
      @Override
      public Presigned get(int index) {
        Presigned request = ring.getAndSet(index % ahead, null);
        if (request != null) {
          taken.set(index + 1);
        }
        return request;
      }

      @Override
      public int size() {
        return count;
      }
    };
  }
}
