package io.emailgateway.testing;

import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A database owned by one test class: a fresh name on the shared server (the gateway creates
 * it at start, which tests that path too), dropped at the end. JDBC, from test threads only.
 */
public final class TestDatabase implements AutoCloseable {
  private final PgConnectOptions server;
  private final String name;

  public TestDatabase(Class<?> owner) {
    this.server = PgConnectOptions.fromUri(TestServices.postgresUri());
    this.name = ("it_" + owner.getSimpleName() + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
        .toLowerCase(Locale.ROOT);
  }

  public String uri() {
    return "postgresql://" + server.getUser() + (server.getPassword() == null ? "" : ":" + server.getPassword())
        + "@" + server.getHost() + ":" + server.getPort() + "/" + name;
  }

  public String name() {
    return name;
  }

  public String host() {
    return server.getHost();
  }

  public int port() {
    return server.getPort();
  }

  /** A single number from a query, e.g. {@code SELECT count(*) FROM events}. */
  public long count(String sql) {
    try (Connection c = connect(name); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** Runs {@code consumer} on the rows of a query. */
  public void query(String sql, SqlConsumer consumer) {
    try (Connection c = connect(name); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      consumer.accept(rows);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** A JDBC connection of its own to this database, for a test that polls it often; the caller closes it. */
  public Connection connection() {
    try {
      return connect(name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect to " + name, e);
    }
  }

  /** Reads rows. */
  @FunctionalInterface
  public interface SqlConsumer {
    void accept(ResultSet rows) throws SQLException;
  }

  @Override
  public void close() {
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop " + name, e);
    }
  }

  private Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + server.getHost() + ":" + server.getPort() + "/" + database,
        server.getUser(), server.getPassword());
  }
}
