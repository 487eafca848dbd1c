package io.emailgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventStoreCountTest {

  @Test
  void newKeyCountsForTheFirstRequestCarryingItAndAsDuplicateForLaterOnes() {
    PersistRequest first = new PersistRequest(List.of(event("a"), event("b")));
    PersistRequest second = new PersistRequest(List.of(event("b"), event("c"), event("old")));

    List<PersistResult> results = EventStore.countPerRequest(List.of(first, second), Set.of("s\u0000a", "s\u0000b", "s\u0000c"));

    assertThat(results).containsExactly(new PersistResult(2, 0), new PersistResult(1, 2));
  }

  @Test
  void sameKeyTwiceInOneRequestIsOneNewAndOneDuplicate() {
    PersistRequest request = new PersistRequest(List.of(event("a"), event("a")));
    assertThat(EventStore.countPerRequest(List.of(request), Set.of("s\u0000a"))).containsExactly(new PersistResult(1, 1));
  }

  private static EmailEvent event(String key) {
    return EmailEvent.builder("s", "test").eventKey(key).type(EventType.DELIVERED).occurredAt(Instant.EPOCH)
        .espEvent(new JsonObject().put("k", key)).build();
  }
}
