package io.emailgateway.store;

import io.emailgateway.event.EmailEvent;
import java.util.List;

/** The events of one webhook request, handed to a persist verticle over the event bus (local codec, no copy). */
public record PersistRequest(List<EmailEvent> events, long enqueuedAtNanos) {
  public PersistRequest(List<EmailEvent> events) {
    this(List.copyOf(events), System.nanoTime());
  }
}
