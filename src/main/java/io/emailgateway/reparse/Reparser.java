package io.emailgateway.reparse;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.provider.WebhookProvider;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-normalizes the stored events of one source with its provider's current parser (README
 * "Re-parse"). Pages through the source's events by id; per page, one transaction rewrites the
 * rows whose normalized columns differ from what the parser makes now (and only those), records
 * the parser version, and lets the handlers catch up through {@link HandlerCatchUp}. Running it
 * again changes nothing. A page that loses a deadlock against the handlers is tried again.
 */
public final class Reparser {
  private static final Logger LOG = LoggerFactory.getLogger(Reparser.class);
  private static final Set<String> RETRYABLE_STATES = Set.of("40P01", "40001");
  private static final int MAX_PAGE_ATTEMPTS = 5;

  /** {@code since} / {@code until}: bounds on when events were stored (received_at), either may be null. */
  public record Options(String source, Instant since, Instant until, boolean dryRun, int pageSize) {}

  private record Row(long id, String provider, String eventKey, NormalizedRow stored, JsonObject espEvent) {}

  private record Change(long id, NormalizedRow now) {}

  private final WebhookProvider provider;
  private final String suppressionScope;
  private final Options options;

  public Reparser(WebhookProvider provider, String suppressionScope, Options options) {
    this.provider = provider;
    this.suppressionScope = suppressionScope;
    this.options = options;
  }

  /** Runs over every page; the connection is left in auto-commit mode afterwards. */
  public ReparseSummary run(Connection connection) throws SQLException {
    ReparseSummary summary = new ReparseSummary();
    connection.setAutoCommit(false);
    try {
      long after = 0;
      while (true) {
        long last = pageWithRetries(connection, after, summary);
        if (last == after) {
          return summary;
        }
        after = last;
      }
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private long pageWithRetries(Connection connection, long after, ReparseSummary summary) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      ReparseSummary page = new ReparseSummary();
      try {
        long last = page(connection, after, page);
        if (options.dryRun()) {
          connection.rollback();
        } else {
          connection.commit();
        }
        summary.add(page);
        return last;
      } catch (SQLException e) {
        connection.rollback();
        if (attempt >= MAX_PAGE_ATTEMPTS || !RETRYABLE_STATES.contains(e.getSQLState())) {
          throw e;
        }
        LOG.info("re-parse page after event {} lost a lock race ({}), trying again", after, e.getSQLState());
      }
    }
  }

  /** One page in the current transaction; returns the last id read (= {@code after} when there was none). */
  private long page(Connection connection, long after, ReparseSummary summary) throws SQLException {
    List<Row> rows = read(connection, after);
    summary.countScanned(rows.size());
    List<Change> changes = new ArrayList<>();
    for (Row row : rows) {
      NormalizedRow now = reparse(row);
      List<String> differences = now == null ? List.of() : now.differences(row.stored());
      if (now == null) {
        summary.countFailed();
      } else if (differences.isEmpty()) {
        summary.countUnchanged();
      } else {
        summary.countChanged(differences);
        changes.add(new Change(row.id(), now));
      }
    }
    if (!changes.isEmpty() && !options.dryRun()) {
      HandlerCatchUp catchUp = new HandlerCatchUp(connection, suppressionScope);
      List<Long> handled = catchUp.retract(changes.stream().map(Change::id).toList());
      rewrite(connection, changes);
      catchUp.enqueue(handled);
      summary.countRequeued(handled.size());
    }
    return rows.isEmpty() ? after : rows.get(rows.size() - 1).id();
  }

  /** The row as the current parser normalizes it, or null (logged) when it cannot. */
  private NormalizedRow reparse(Row row) {
    if (!provider.name().equals(row.provider())) {
      LOG.warn("event {}: stored by provider {}, but source {} is now configured as {}; left alone",
          row.id(), row.provider(), options.source(), provider.name());
      return null;
    }
    try {
      List<EmailEvent> events = provider.reparse(row.espEvent(), row.eventKey(), row.stored().occurredAt());
      List<EmailEvent> sameKey = events.stream().filter(e -> e.eventKey().equals(row.eventKey())).toList();
      List<EmailEvent> match = sameKey.isEmpty() && events.size() == 1 ? events : sameKey;
      if (match.size() != 1) {
        LOG.warn("event {}: the current parser makes {} events of it, none under its key; left alone", row.id(), events.size());
        return null;
      }
      return NormalizedRow.of(match.get(0));
    } catch (RuntimeException e) {
      LOG.warn("event {}: the current parser refuses it ({}); left alone", row.id(), e.getMessage());
      return null;
    }
  }

  private List<Row> read(Connection connection, long after) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(ReparseSql.PAGE)) {
      statement.setString(1, options.source());
      statement.setLong(2, after);
      statement.setString(3, options.since() == null ? "-infinity" : options.since().toString());
      statement.setString(4, options.until() == null ? "infinity" : options.until().toString());
      statement.setInt(5, options.pageSize());
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.add(new Row(result.getLong("id"), result.getString("provider"), result.getString("event_key"),
              NormalizedRow.of(result), new JsonObject(result.getString("esp_event"))));
        }
      }
    }
    return rows;
  }

  private void rewrite(Connection connection, List<Change> changes) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(ReparseSql.UPDATE_EVENT)) {
      for (Change change : changes) {
        NormalizedRow now = change.now();
        int i = 0;
        for (String column : List.of("type", "bounce_type", "reject_reason")) {
          update.setString(++i, now.text(column));
        }
        update.setObject(++i, OffsetDateTime.ofInstant(now.occurredAt(), ZoneOffset.UTC));
        for (String column : List.of("message_id", "recipient", "sender", "subject")) {
          update.setString(++i, now.text(column));
        }
        update.setArray(++i, connection.createArrayOf("text", now.tags()));
        update.setString(++i, now.metadataJson());
        for (String column : List.of("click_url", "user_agent", "ip", "mta_response", "description")) {
          update.setString(++i, now.text(column));
        }
        update.setInt(++i, provider.parserVersion());
        update.setLong(++i, change.id());
        update.addBatch();
      }
      update.executeBatch();
    }
  }
}
