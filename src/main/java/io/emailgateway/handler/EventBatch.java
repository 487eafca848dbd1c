package io.emailgateway.handler;

import io.emailgateway.event.EventType;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

/**
 * The events of one handler transaction with the type and source each was stored with, read once
 * per transaction so that every handler is given only the events it acts on. Each handler
 * statement looks its events up by id, and most act on a few types: before this, the suppression
 * list's five statements looked up every event of a campaign (mostly delivered and opened) to
 * find its few bounces and complaints. Events the outbox names but the table does not hold are
 * not in the batch, as a join would have dropped them.
 */
public final class EventBatch {
  static final String READ = "SELECT id, type, source FROM events WHERE id = ANY ($1) ORDER BY id";

  private final Long[] ids;
  private final String[] types;
  private final String[] sources;

  private EventBatch(Long[] ids, String[] types, String[] sources) {
    this.ids = ids;
    this.types = types;
    this.sources = sources;
  }

  /** Reads the type and source of the given events, in id order. */
  static Future<EventBatch> read(SqlConnection tx, List<Long> eventIds) {
    return tx.preparedQuery(READ).execute(Tuple.of(eventIds.toArray(Long[]::new))).map(rows -> {
      int n = rows.size();
      Long[] ids = new Long[n];
      String[] types = new String[n];
      String[] sources = new String[n];
      int i = 0;
      for (Row row : rows) {
        ids[i] = row.getLong(0);
        types[i] = row.getString(1);
        sources[i] = row.getString(2);
        i++;
      }
      return new EventBatch(ids, types, sources);
    });
  }

  /** A batch built in memory, for tests of handlers that are not given the database's view. */
  public static EventBatch of(Long[] ids, String[] types, String[] sources) {
    if (ids.length != types.length || ids.length != sources.length) {
      throw new IllegalArgumentException("ids, types and sources differ in length");
    }
    return new EventBatch(ids.clone(), types.clone(), sources.clone());
  }

  public int size() {
    return ids.length;
  }

  /** Every event of the batch. */
  public Long[] ids() {
    return ids.clone();
  }

  /** The events of the given types. */
  public Long[] idsOf(Set<EventType> wanted) {
    Set<String> names = wanted.stream().map(EventType::wireName).collect(Collectors.toUnmodifiableSet());
    return idsWhere((type, source) -> names.contains(type));
  }

  /** The events whose (type as stored, source) pass the filter. */
  public Long[] idsWhere(BiPredicate<String, String> filter) {
    Long[] selected = new Long[ids.length];
    int n = 0;
    for (int i = 0; i < ids.length; i++) {
      if (filter.test(types[i], sources[i])) {
        selected[n++] = ids[i];
      }
    }
    return n == ids.length ? ids.clone() : Arrays.copyOf(selected, n);
  }

  /** The first and the second half, for isolating the events a statement refuses. */
  List<EventBatch> halves() {
    int mid = ids.length / 2;
    return List.of(slice(0, mid), slice(mid, ids.length));
  }

  private EventBatch slice(int from, int to) {
    return new EventBatch(Arrays.copyOfRange(ids, from, to), Arrays.copyOfRange(types, from, to),
        Arrays.copyOfRange(sources, from, to));
  }

  long onlyId() {
    if (ids.length != 1) {
      throw new IllegalStateException("batch of " + ids.length + " events");
    }
    return ids[0];
  }
}
