package io.emailgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time of the gateway by kind of thread, and of the PostgreSQL backends serving it, read from
 * /proc (Linux; the bench only runs against 127.0.0.1). On a shared or cold machine the gateway's
 * total includes JIT compilation and GC; its event-loop share is the request work itself, and the
 * backends' share is what the database spent on the gateway's statements.
 */
final class CpuMeter {
  private static final double TICKS_PER_SECOND = 100; // USER_HZ, what /proc reports in

  /** CPU seconds: the gateway's event loops, GC, JIT, the rest of the JVM, and its PostgreSQL backends. */
  record Split(double eventLoops, double gc, double jit, double otherJvm, double postgres) {
    double gateway() {
      return eventLoops + gc + jit + otherJvm;
    }

    Split minus(Split before) {
      return new Split(eventLoops - before.eventLoops, gc - before.gc, jit - before.jit, otherJvm - before.otherJvm,
          postgres - before.postgres);
    }
  }

  private final long gatewayPid;
  private final String jdbcUrl;
  private final String applicationName;
  private List<Long> backends = List.of();

  /** {@code gatewayPid} 0: only the backends of {@code applicationName} (the database ceiling's). */
  CpuMeter(long gatewayPid, String jdbcUrl, String applicationName) {
    this.gatewayPid = gatewayPid;
    this.jdbcUrl = jdbcUrl;
    this.applicationName = applicationName;
  }

  /** Now; finds the gateway's backends again (the pool may have opened connections since). */
  Split read() {
    backends = backendPids();
    double[] jvm = new double[4];
    try (Stream<Path> tasks = gatewayPid == 0 ? Stream.empty() : Files.list(Path.of("/proc/" + gatewayPid + "/task"))) {
      tasks.forEach(task -> {
        String[] stat = stat(task.resolve("stat"));
        if (stat != null) {
          jvm[kind(stat[0])] += ticks(stat);
        }
      });
    } catch (IOException e) {
      return new Split(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double postgres = 0;
    for (long pid : backends) {
      String[] stat = stat(Path.of("/proc/" + pid + "/stat"));
      postgres += stat == null ? 0 : ticks(stat);
    }
    return new Split(jvm[0] / TICKS_PER_SECOND, jvm[1] / TICKS_PER_SECOND, jvm[2] / TICKS_PER_SECOND,
        jvm[3] / TICKS_PER_SECOND, postgres / TICKS_PER_SECOND);
  }

  private static int kind(String threadName) {
    if (threadName.startsWith("vert.x-eventloo")) {
      return 0;
    }
    if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ")) {
      return 1;
    }
    return threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler") ? 2 : 3;
  }

  /** The thread name, then the fields after it ({@code utime} and {@code stime} are the 12th and 13th). */
  private static String[] stat(Path file) {
    try {
      String line = Files.readString(file);
      int open = line.indexOf('(');
      int close = line.lastIndexOf(')');
      String[] fields = line.substring(close + 2).split(" ");
      String[] result = new String[fields.length + 1];
      result[0] = line.substring(open + 1, close);
      System.arraycopy(fields, 0, result, 1, fields.length);
      return result;
    } catch (IOException | RuntimeException gone) {
      return null; // the thread or backend ended
    }
  }

  private static long ticks(String[] stat) {
    return Long.parseLong(stat[12]) + Long.parseLong(stat[13]);
  }

  private List<Long> backendPids() {
    List<Long> pids = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
         PreparedStatement query = connection.prepareStatement(
             "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?")) {
      query.setString(1, applicationName);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          pids.add(rows.getLong(1));
        }
      }
    } catch (SQLException e) {
      return backends;
    }
    return pids;
  }
}
