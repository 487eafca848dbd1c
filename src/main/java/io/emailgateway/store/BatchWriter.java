package io.emailgateway.store;

import io.vertx.core.Future;
import java.util.List;

/** Where a group commit goes: one transaction at a time, all of a batch's events or none. */
public interface BatchWriter {
  /** The outcome per request, in the order of {@code batch}, once the transaction committed. */
  Future<List<PersistResult>> insert(List<PersistRequest> batch);

  Future<Void> close();
}
