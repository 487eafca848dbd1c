package io.emailgateway.store;

import io.emailgateway.event.EmailEvent;
import java.util.List;

/**
 * The events of one webhook request, handed to the persist verticle over the event bus (local codec,
 * no copy), with the version of the provider's parser that produced them (stored with each event,
 * so a re-parse knows what produced a row).
 */
public record PersistRequest(List<EmailEvent> events, int parserVersion, long enqueuedAtNanos) {
  public PersistRequest(List<EmailEvent> events, int parserVersion) {
    this(List.copyOf(events), parserVersion, System.nanoTime());
  }

  /** Events of a parser at its first version (every parser today; tests and tools). */
  public PersistRequest(List<EmailEvent> events) {
    this(events, 1);
  }
}
