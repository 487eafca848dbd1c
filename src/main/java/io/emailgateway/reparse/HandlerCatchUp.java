package io.emailgateway.reparse;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps the built-in handlers' tables right when events are rewritten, inside the re-parse
 * transaction. The handlers add up (counters, counts) and never see an event twice, so simply
 * queueing a changed event again would count it twice. Instead, per changed event:
 * <ul>
 *   <li>its handlers have not run yet (an outbox row still names it) or it is parked in
 *       {@code handler_dead_events}: nothing to undo and nothing to queue — its own outbox row
 *       (or replay) applies the new values;
 *   <li>its handlers ran: {@link #retract} takes its old values out of the counters (read from the
 *       row before it is rewritten), and {@link #enqueue} queues it again, so the handlers add the
 *       corrected event exactly once.
 * </ul>
 */
final class HandlerCatchUp {
  private final Connection connection;
  private final String suppressionScope;

  /** {@code suppressionScope}: '*' when the configured suppression list is global, else null (per source). */
  HandlerCatchUp(Connection connection, String suppressionScope) {
    this.connection = connection;
    this.suppressionScope = suppressionScope;
  }

  /**
   * Locks the outbox and parked rows of the changed events and returns the events whose handlers
   * already ran (ascending), after undoing their counts. Call before the rows are rewritten.
   */
  List<Long> retract(List<Long> changed) throws SQLException {
    Array all = ids(changed);
    Set<Long> waiting = new HashSet<>(pending(all));
    // A handler transaction the first look waited for may have put a failing event back into the
    // outbox as a new row (or parked it), committed after that statement's snapshot; later
    // statements see it. Nothing else can add one: every row naming these events is now locked.
    waiting.addAll(pending(all));
    waiting.addAll(longs(ReparseSql.LOCK_PARKED, all));
    List<Long> handled = changed.stream().filter(id -> !waiting.contains(id)).sorted().toList();
    if (handled.isEmpty()) {
      return handled;
    }
    Array done = ids(handled);
    update(ReparseSql.RETRACT_DELIVERABILITY, done);
    update(ReparseSql.RETRACT_ENGAGEMENT, done, all);
    update(ReparseSql.DELETE_EMPTY_ENGAGEMENT, done);
    update(ReparseSql.RETRACT_MESSAGES, done, all, all);
    update(ReparseSql.DELETE_EMPTY_MESSAGES, done);
    update(ReparseSql.RETRACT_SUPPRESSION_COUNTS, suppressionScope, done);
    update(ReparseSql.FORGET_SOFT_BOUNCES, done);
    return handled;
  }

  /** One outbox row naming the rewritten events whose handlers had run: they run again on the new values. */
  void enqueue(List<Long> handled) throws SQLException {
    if (!handled.isEmpty()) {
      update(ReparseSql.ENQUEUE, ids(handled));
    }
  }

  private List<Long> pending(Array changed) throws SQLException {
    Set<Long> wanted = new HashSet<>();
    for (Object id : (Object[]) changed.getArray()) {
      wanted.add((Long) id);
    }
    List<Long> pending = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(ReparseSql.LOCK_PENDING)) {
      statement.setArray(1, changed);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          for (Object id : (Object[]) rows.getArray(1).getArray()) {
            if (wanted.contains(((Number) id).longValue())) {
              pending.add(((Number) id).longValue());
            }
          }
        }
      }
    }
    return pending;
  }

  private List<Long> longs(String sql, Array parameter) throws SQLException {
    List<Long> result = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setArray(1, parameter);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          result.add(rows.getLong(1));
        }
      }
    }
    return result;
  }

  private void update(String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      statement.executeUpdate();
    }
  }

  private Array ids(List<Long> ids) throws SQLException {
    return connection.createArrayOf("bigint", ids.toArray(Long[]::new));
  }
}
