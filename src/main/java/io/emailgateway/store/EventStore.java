package io.emailgateway.store;

import io.emailgateway.event.EmailEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes the events of several requests with one statement, which inserts the events and one
 * outbox row naming the new event ids and commits them together (see {@link Sql#INSERT_EVENTS}):
 * either every event of every request in the batch is committed or none is. The sessions carry
 * {@code statement_timeout = persist.write_timeout} and {@code synchronous_commit = on}. Each
 * store of the persist verticle is on its own {@link BoundedConnection}, so a server that stops
 * answering costs one batch a 503, not the verticle.
 */
public final class EventStore implements BatchWriter {
  /** Past statement_timeout, the time a COMMIT's answer may still take before the connection is given up. */
  private static final Duration ANSWER_MARGIN = Duration.ofSeconds(2);

  private final BoundedConnection connection;
  private final Duration writeTimeout;

  /** {@code connection} is this store's own: one group commit at a time runs on it. */
  public EventStore(BoundedConnection connection, Duration writeTimeout) {
    this.connection = connection;
    this.writeTimeout = writeTimeout;
  }

  @Override
  public Future<Void> close() {
    return connection.close();
  }

  /**
   * The outcome per request, in the order of {@code batch}. The future completes when PostgreSQL
   * reports the statement's implicit transaction committed (ReadyForQuery after Sync), not before.
   */
  @Override
  public Future<List<PersistResult>> insert(List<PersistRequest> batch) {
    List<EmailEvent> events = new ArrayList<>();
    List<Integer> parserVersions = new ArrayList<>();
    batch.forEach(request -> {
      events.addAll(request.events());
      request.events().forEach(e -> parserVersions.add(request.parserVersion()));
    });
    // A failed statement closes the connection; the implicit transaction is rolled back.
    return connection.run(writeTimeout.plus(ANSWER_MARGIN),
            pg -> pg.preparedQuery(Sql.INSERT_EVENTS).execute(columns(events, parserVersions)))
        .map(rows -> {
          Set<String> newKeys = new HashSet<>();
          for (Row row : rows) {
            newKeys.add(identity(row.getString("source"), row.getString("event_key")));
          }
          return countPerRequest(batch, newKeys);
        });
  }

  /**
   * Attributes each newly stored key to the first request (in queue order) that carried it; any
   * other copy of that key, in the same batch or already stored, counts as a duplicate.
   */
  static List<PersistResult> countPerRequest(List<PersistRequest> batch, Set<String> newKeys) {
    Set<String> unclaimed = new HashSet<>(newKeys);
    List<PersistResult> results = new ArrayList<>(batch.size());
    for (PersistRequest request : batch) {
      int accepted = 0;
      for (EmailEvent event : request.events()) {
        if (unclaimed.remove(identity(event.source(), stripNul(event.eventKey())))) {
          accepted++;
        }
      }
      results.add(new PersistResult(accepted, request.events().size() - accepted));
    }
    return results;
  }

  private static String identity(String source, String eventKey) {
    return source + '\u0000' + eventKey;
  }

  private static Tuple columns(List<EmailEvent> events, List<Integer> parserVersions) {
    return Tuple.tuple(List.of(
        column(events, EmailEvent::source),
        column(events, EmailEvent::provider),
        column(events, EmailEvent::eventKey),
        column(events, e -> e.type().wireName()),
        column(events, e -> e.bounceType() == null ? null : e.bounceType().wireName()),
        column(events, e -> e.rejectReason() == null ? null : e.rejectReason().wireName()),
        events.stream().map(e -> OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new),
        column(events, EmailEvent::messageId),
        column(events, EmailEvent::recipient),
        column(events, EmailEvent::sender),
        column(events, EmailEvent::subject),
        column(events, e -> TextArrays.literal(e.tags())),
        column(events, e -> JsonText.encode(e.metadata())),
        column(events, EmailEvent::clickUrl),
        column(events, EmailEvent::userAgent),
        column(events, EmailEvent::ip),
        column(events, EmailEvent::mtaResponse),
        column(events, EmailEvent::description),
        column(events, e -> JsonText.asReceived(e.espEventText(), e.espEvent())),
        parserVersions.toArray(Integer[]::new)));
  }

  private static String[] column(List<EmailEvent> events, Function<EmailEvent, String> field) {
    String[] values = new String[events.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = stripNul(field.apply(events.get(i)));
    }
    return values;
  }

  /** PostgreSQL text cannot hold U+0000; an ESP value carrying one would fail the whole batch. */
  public static String stripNul(String value) {
    return value == null || value.indexOf('\u0000') < 0 ? value : value.replace("\u0000", "");
  }
}
