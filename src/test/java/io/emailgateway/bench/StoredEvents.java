package io.emailgateway.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.BitSet;

/**
 * Proves in PostgreSQL that every acknowledged event of a run is stored: streams the keys the run
 * wrote (they start with the run id), counts them per request index, and compares each
 * acknowledged request's count with its events. Keys are unique per source, so a full count
 * means every event of that request is there.
 */
final class StoredEvents {
  /** Acknowledged events not found, and requests stored without a 200 (answered late, or not at all). */
  record Verdict(long missingEvents, long requestsWithMissingEvents, long storedWithoutAck) {}

  private final String jdbcUrl;

  StoredEvents(String jdbcUrl) {
    this.jdbcUrl = jdbcUrl;
  }

  Verdict verify(String source, String run, int requests, int eventsPerRequest, BitSet acked) throws SQLException {
    int[] stored = countPerRequest(source, run, requests);
    long missing = 0;
    long incomplete = 0;
    long unacknowledged = 0;
    for (int index = 0; index < requests; index++) {
      if (acked.get(index) && stored[index] != eventsPerRequest) {
        missing += eventsPerRequest - stored[index];
        incomplete++;
      } else if (!acked.get(index) && stored[index] > 0) {
        unacknowledged++;
      }
    }
    return new Verdict(missing, incomplete, unacknowledged);
  }

  private int[] countPerRequest(String source, String run, int requests) throws SQLException {
    int[] stored = new int[requests];
    try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
      connection.setAutoCommit(false); // lets the driver stream with a cursor
      try (PreparedStatement query = connection.prepareStatement(
          "SELECT event_key FROM events WHERE source = ? AND starts_with(event_key, ?)")) {
        query.setFetchSize(10_000);
        query.setString(1, source);
        query.setString(2, run + "-");
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            int index = requestIndex(rows.getString(1), run);
            if (index >= 0 && index < requests) {
              stored[index]++;
            }
          }
        }
      }
    }
    return stored;
  }

  /** {@code run-17-3} and {@code run-17:alice@…} belong to request 17. */
  static int requestIndex(String key, String run) {
    int start = run.length() + 1;
    int end = start;
    while (end < key.length() && Character.isDigit(key.charAt(end))) {
      end++;
    }
    return end == start ? -1 : Integer.parseInt(key, start, end, 10);
  }
}
