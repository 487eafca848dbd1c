package io.emailgateway.store;

/** Event-bus addresses, all in one place. */
public final class Addresses {
  /** Request/reply: a {@link PersistRequest} in, a {@link PersistResult} out after COMMIT. */
  public static final String EVENTS_PERSIST = "events.persist";
  /** Publish: a batch was committed (wakes handlers early; they poll the outbox anyway). */
  public static final String EVENTS_STORED = "events.stored";
  /** Publish: a handler transaction committed, possibly with new deliveries (wakes forwarders early; they poll anyway). */
  public static final String DELIVERIES_QUEUED = "deliveries.queued";

  private Addresses() {}
}
