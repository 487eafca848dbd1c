package io.emailgateway.store;

import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up work on the database, over JDBC (blocking: called from a worker, never an event
 * loop): create the configured database if it is missing, then apply the Flyway migrations
 * under {@code db/migration}.
 */
public final class DatabaseBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseBootstrap.class);

  private final PgConnectOptions options;

  public DatabaseBootstrap(PgConnectOptions options) {
    this.options = options;
  }

  /** Creates the database when it does not exist (needs CREATEDB; an existing database needs nothing). */
  public void createDatabaseIfMissing() throws SQLException {
    String database = options.getDatabase();
    try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), credentials());
         PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, database);
      try (ResultSet rows = exists.executeQuery()) {
        if (rows.next()) {
          return;
        }
      }
      connection.createStatement().execute("CREATE DATABASE " + quoteIdentifier(database));
      LOG.info("created database {}", database);
    }
  }

  /** Applies pending migrations and returns the schema version now in place. */
  public String migrate() {
    Flyway flyway = Flyway.configure()
        .dataSource(jdbcUrl(options.getDatabase()), options.getUser(), options.getPassword())
        .locations("classpath:db/migration")
        .load();
    flyway.migrate();
    String version = flyway.info().current().getVersion().getVersion();
    LOG.info("database {} at schema version {}", options.getDatabase(), version);
    return version;
  }

  private String jdbcUrl(String database) {
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + database;
  }

  private Properties credentials() {
    Properties properties = new Properties();
    properties.setProperty("user", options.getUser());
    if (options.getPassword() != null) {
      properties.setProperty("password", options.getPassword());
    }
    return properties;
  }

  static String quoteIdentifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }
}
