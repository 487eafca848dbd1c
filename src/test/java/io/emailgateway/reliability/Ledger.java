package io.emailgateway.reliability;

import io.emailgateway.testing.TestDatabase;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ESP's books ({@link EspLoad}) against the {@code events} table: every event of every
 * delivery answered 200 must be stored exactly once (a loss or a duplicate row fails the suite),
 * every delivery is stored whole or not at all, and nothing is stored that was never sent.
 */
final class Ledger {
  /** Runs a query against the gateway's database: {@link TestDatabase#query} or {@link PrivatePostgres#query}. */
  interface Database {
    void query(String sql, TestDatabase.SqlConsumer consumer);
  }

  record Check(long ackedEvents, long verifiedStored, long losses, long duplicateRows, long partialDeliveries,
      long strangers, long storedUnacked) {
    boolean clean() {
      return losses == 0 && duplicateRows == 0 && partialDeliveries == 0 && strangers == 0;
    }
  }

  private Ledger() {}

  /** {@code load}'s books against the table; {@code others} are other senders to the same source (their events are not strangers). */
  static Check check(Database database, String source, EspLoad load, EspLoad... others) {
    Map<String, Long> stored = new HashMap<>();
    database.query("SELECT event_key, count(*) FROM events WHERE source = '" + source + "' GROUP BY event_key", rows -> {
      while (rows.next()) {
        stored.put(rows.getString(1), rows.getLong(2));
      }
    });
    long ackedEvents = 0;
    long verified = 0;
    long losses = 0;
    for (EspLoad.Delivery delivery : load.acked()) {
      for (String id : delivery.eventIds()) {
        ackedEvents++;
        if (stored.getOrDefault(id, 0L) == 1) {
          verified++;
        } else if (!stored.containsKey(id)) {
          losses++;
        }
      }
    }
    long partial = 0;
    long storedUnacked = 0;
    for (EspLoad.Delivery delivery : load.unacked()) {
      long present = delivery.eventIds().stream().filter(stored::containsKey).count();
      partial += present > 0 && present < delivery.eventIds().size() ? 1 : 0;
      storedUnacked += present == delivery.eventIds().size() ? 1 : 0;
    }
    Set<String> sent = new HashSet<>();
    load.all().forEach(d -> sent.addAll(d.eventIds()));
    for (EspLoad other : others) {
      other.all().forEach(d -> sent.addAll(d.eventIds()));
    }
    long strangers = stored.keySet().stream().filter(key -> !sent.contains(key)).count();
    long duplicateRows = stored.values().stream().mapToLong(count -> count - 1).sum();
    return new Check(ackedEvents, verified, losses, duplicateRows, partial, strangers, storedUnacked);
  }

  static long eventsSent(List<EspLoad.Delivery> deliveries) {
    return deliveries.stream().mapToLong(d -> d.eventIds().size()).sum();
  }
}
