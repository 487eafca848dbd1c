package io.emailgateway.reliability;

import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of this test's own (zonky's embedded binaries) on a fixed port and data
 * directory, so it can be stopped and started again — or its postmaster killed — while a gateway
 * uses it. The machine's shared PostgreSQL is never touched.
 */
final class PrivatePostgres implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres postgres;

  private PrivatePostgres(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  static PrivatePostgres start(Path workDir) {
    try {
      Files.createDirectories(workDir);
      PrivatePostgres cluster = new PrivatePostgres(Files.createTempDirectory(workDir, "pg-"), TestGateway.freePort());
      cluster.start();
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the cluster on its data directory and port (again, after {@link #stop} or {@link #crash}). */
  void start() {
    try {
      postgres = EmbeddedPostgres.builder().setDataDirectory(dataDir.toFile()).setCleanDataDirectory(false)
          .setPort(port).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** pg_ctl stop (fast): every connection is closed, the data is flushed. */
  void stop() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * SIGKILL to the postmaster, as a crash or an OOM kill does: backends lose their parent and
   * exit, the next start runs crash recovery from the WAL.
   */
  void crash() {
    try {
      long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
      ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
      postmaster.destroyForcibly();
      postmaster.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
      for (int i = 0; i < 100 && portAnswers(); i++) {
        GatewayProcess.sleep(100);
      }
      // Releases zonky's lock on the data directory (its pg_ctl stop fails: nothing runs any more).
      postgres.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot kill the postmaster", e);
    }
  }

  private boolean portAnswers() {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  String uri(String database) {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + database;
  }

  void query(String database, String sql, TestDatabase.SqlConsumer consumer) {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", null);
         Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      consumer.accept(rows);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  long count(String database, String sql) {
    long[] count = new long[1];
    query(database, sql, rows -> {
      rows.next();
      count[0] = rows.getLong(1);
    });
    return count[0];
  }

  @Override
  public void close() {
    try {
      if (postgres != null && portAnswers()) {
        postgres.close();
      }
    } catch (IOException e) {
      // the directory goes below either way
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
