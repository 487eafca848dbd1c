package io.emailgateway.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The numbers of the reliability suites (README "Reliability"): each suite records one row per
 * run under {@code target/reliability/}, and {@link ReliabilityTablePrinter} prints the table of
 * all rows when a test run ends. Unit-test and integration-test JVMs write to the same folder, so
 * after {@code mvn verify} the table holds both.
 */
public final class ReliabilityReport {
  public static final Path DIR = Path.of("target", "reliability");
  private static volatile boolean recordedHere;

  /**
   * One suite's totals. Losses, duplicates and 500s must be zero for the suite to pass; they are
   * kept to show it. {@code fiveXx} counts every 5xx, including the 503s (with Retry-After) that
   * are the contract while PostgreSQL or Redis is down or the gateway drains; {@code fiveHundreds}
   * the 500s among them.
   */
  public record Row(String suite, long faults, long requests, long oks, long verifiedStored, long losses,
      long duplicates, long malformed, long fiveXx, long fiveHundreds) {
    JsonObject toJson() {
      return new JsonObject().put("suite", suite).put("faults", faults).put("requests", requests).put("oks", oks)
          .put("verified_stored", verifiedStored).put("losses", losses).put("duplicates", duplicates)
          .put("malformed", malformed).put("five_xx", fiveXx).put("five_hundreds", fiveHundreds);
    }

    static Row fromJson(JsonObject json) {
      return new Row(json.getString("suite"), json.getLong("faults"), json.getLong("requests"), json.getLong("oks"),
          json.getLong("verified_stored"), json.getLong("losses"), json.getLong("duplicates"), json.getLong("malformed"),
          json.getLong("five_xx"), json.getLong("five_hundreds", 0L));
    }
  }

  private ReliabilityReport() {}

  public static synchronized void record(Row row) {
    try {
      Files.createDirectories(DIR);
      Files.writeString(DIR.resolve(row.suite().replaceAll("[^A-Za-z0-9_.-]", "_") + ".json"), row.toJson().encodePrettily());
      recordedHere = true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean recordedInThisJvm() {
    return recordedHere;
  }

  public static List<Row> load() {
    if (!Files.isDirectory(DIR)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(DIR)) {
      List<Row> rows = new ArrayList<>();
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        rows.add(Row.fromJson(new JsonObject(Files.readString(file))));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Markdown table, with a total line and the date and machine it was measured on. */
  public static String table(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    out.append("| suite | faults injected | requests sent | 200s received | events verified stored | losses | duplicates "
        + "| malformed inputs tried | 5xx seen (of them 500) |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    Row total = new Row("**total**", 0, 0, 0, 0, 0, 0, 0, 0, 0);
    for (Row row : rows) {
      out.append(line(row));
      total = new Row(total.suite(), total.faults() + row.faults(), total.requests() + row.requests(),
          total.oks() + row.oks(), total.verifiedStored() + row.verifiedStored(), total.losses() + row.losses(),
          total.duplicates() + row.duplicates(), total.malformed() + row.malformed(), total.fiveXx() + row.fiveXx(),
          total.fiveHundreds() + row.fiveHundreds());
    }
    out.append(line(total));
    out.append("\nMeasured ").append(LocalDate.now()).append(" on ").append(machine()).append('\n');
    return out.toString();
  }

  private static String line(Row r) {
    return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %d | %d (%d) |%n", r.suite(), r.faults(),
        r.requests(), r.oks(), r.verifiedStored(), r.losses(), r.duplicates(), r.malformed(), r.fiveXx(), r.fiveHundreds());
  }

  static String machine() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown host";
    }
    return host + " (" + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
        + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version") + ")";
  }
}
