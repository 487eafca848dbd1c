package io.emailgateway.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What PostgreSQL was doing during a phase, sampled every 100 ms from {@code pg_stat_activity} and
 * the WAL insert position: the gateway's group commits (on CPU, waiting for the WAL, waiting for
 * something else), its handler transactions, the checkpointer, and the WAL written. Next to the
 * latency {@link Timeline} this says what the commits were waiting for in the slots that were
 * slow. One sampling query per 100 ms on its own connection costs the server about 0.2 ms.
 */
final class DatabaseActivity implements AutoCloseable {
  /**
   * One sample. {@code persist*}: backends running the group-commit statement, by what they were
   * doing; {@code handlers}: the gateway's other backends that are not idle — in a statement or
   * between two of one transaction (handler transactions, the lag monitor, forwarding);
   * {@code checkpointer}: its wait event, empty when idle.
   */
  record Sample(long nanos, int persistOnCpu, int persistOnWal, int persistWaitingElse, String elseWait,
      int handlers, String checkpointer, long walBytes) {}

  private static final String QUERY = """
      SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint AS wal_bytes,
             a.backend_type, a.state, a.wait_event_type, a.wait_event, left(a.query, 60) AS query
        FROM pg_stat_activity a
       WHERE a.pid <> pg_backend_pid()
         AND ((a.application_name LIKE 'email-webhook-gateway%' AND a.state <> 'idle')
              OR a.backend_type = 'checkpointer')""";

  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "bench-db-activity");
    thread.setDaemon(true);
    return thread;
  });
  private final String jdbcUrl;

  DatabaseActivity(String jdbcUrl) {
    this.jdbcUrl = jdbcUrl;
  }

  /** Starts sampling; {@link Recording#stop()} returns the samples. Never fails: no connection, no samples. */
  Recording start() {
    return new Recording();
  }

  final class Recording {
    private final List<Sample> samples = new ArrayList<>();
    private final ScheduledFuture<?> task;
    private Connection connection;
    private PreparedStatement statement;
    private boolean failed;

    private Recording() {
      task = sampler.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
    }

    private void sample() {
      if (failed) {
        return;
      }
      try {
        if (connection == null) {
          connection = DriverManager.getConnection(jdbcUrl);
          statement = connection.prepareStatement(QUERY);
        }
        long now = System.nanoTime();
        int onCpu = 0;
        int onWal = 0;
        int waitingElse = 0;
        String elseWait = "";
        int handlers = 0;
        String checkpointer = "";
        long walBytes = 0;
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            walBytes = rows.getLong("wal_bytes");
            String wait = rows.getString("wait_event");
            if ("checkpointer".equals(rows.getString("backend_type"))) {
              checkpointer = wait == null || wait.equals("CheckpointerMain") ? "" : wait;
            } else if (!String.valueOf(rows.getString("query")).contains("INSERT INTO events (")) {
              handlers++;
            } else if (wait == null) {
              onCpu++;
            } else if (wait.startsWith("WAL")) {
              onWal++;
            } else {
              waitingElse++;
              elseWait = rows.getString("wait_event_type") + ":" + wait;
            }
          }
        }
        synchronized (samples) {
          samples.add(new Sample(now, onCpu, onWal, waitingElse, elseWait, handlers, checkpointer, walBytes));
        }
      } catch (SQLException e) {
        System.err.println("database activity: sampling stopped: " + e.getMessage());
        failed = true;
      }
    }

    List<Sample> stop() {
      task.cancel(false);
      try {
        sampler.submit(() -> {
          if (connection != null) {
            connection.close();
          }
          return null;
        }).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("database activity: closing its connection failed: " + e);
      }
      synchronized (samples) {
        return List.copyOf(samples);
      }
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
