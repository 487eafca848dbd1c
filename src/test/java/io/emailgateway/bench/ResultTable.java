package io.emailgateway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The one table a bench run prints (Markdown, so it can go into the README as it is), and the targets. */
final class ResultTable {
  /** One measured phase of the gateway, with the ceilings its own traffic reached (NaN when not measured). */
  record Row(String scenario, String mode, String load, PhaseResult result, GatewayProbe.Cost cost,
      DatabaseCeiling.Result dbCeiling, double httpCeilingRequestsPerSecond, long lostEvents) {

    double dbFraction() {
      return result.eventsPerSecond() / dbCeiling.rowsPerSecond();
    }

    double httpFraction() {
      return result.requestsPerSecond() / httpCeilingRequestsPerSecond;
    }

    /** CPU µs per acknowledged event. */
    double perEvent(double cpuSeconds) {
      return result.acknowledgedEvents() == 0 ? Double.NaN : cpuSeconds * 1e6 / result.acknowledgedEvents();
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private double liveBefore = Double.NaN;
  private double liveAfter = Double.NaN;
  private double soakSeconds;

  /** The gateway's live heap (after a full GC) before and after the soak. */
  void liveHeap(double before, double after, double seconds) {
    this.liveBefore = before;
    this.liveAfter = after;
    this.soakSeconds = seconds;
  }

  void add(Row row) {
    rows.add(row);
  }

  List<Row> rows() {
    return rows;
  }

  String render() {
    StringBuilder out = new StringBuilder();
    out.append("| scenario | mode | load | req/s | events/s | p50 ms | p90 ms | p99 ms | p99.9 ms | errors "
        + "| DB ceiling rows/s | events/s ÷ DB | HTTP ceiling req/s | req/s ÷ HTTP "
        + "| gateway CPU µs/event (event loops) | PostgreSQL CPU µs/event (ceiling's per row) "
        + "| events per group commit | heap peak MB | old gen MB first→last | lost events |\n");
    out.append("|---".repeat(20)).append("|\n");
    for (Row row : rows) {
      PhaseResult r = row.result();
      out.append(String.join(" | ", "| " + row.scenario(), row.mode(), row.load(),
          format(r.requestsPerSecond(), 0), format(r.eventsPerSecond(), 0),
          format(r.latencyMillis(50), 1), format(r.latencyMillis(90), 1), format(r.latencyMillis(99), 1),
          format(r.latencyMillis(99.9), 1), errors(r),
          format(row.dbCeiling().rowsPerSecond(), 0), percent(row.dbFraction()),
          format(row.httpCeilingRequestsPerSecond(), 0), percent(row.httpFraction()),
          format(row.perEvent(row.cost().cpu().gateway()), 0)
              + " (" + format(row.perEvent(row.cost().cpu().eventLoops()), 0) + ")",
          format(row.perEvent(row.cost().cpu().postgres()), 0)
              + (Double.isNaN(row.dbCeiling().postgresMicrosPerRow()) ? ""
                  : " (ceiling " + format(row.dbCeiling().postgresMicrosPerRow(), 0) + ")"),
          format(row.cost().commits().eventsPerCommit(), 0),
          format(row.cost().heapPeakBytes() / 1e6, 0),
          format(row.cost().oldGenFirstBytes() / 1e6, 0) + "→" + format(row.cost().oldGenLastBytes() / 1e6, 0),
          Long.toString(row.lostEvents()) + (r.ranOut() ? " (ran out of pre-signed requests)" : "")))
          .append(" |\n");
    }
    return out.toString();
  }

  private static String errors(PhaseResult r) {
    if (r.outcomes().isEmpty()) {
      return "0";
    }
    return r.outcomes().entrySet().stream().map(e -> e.getKey() + "×" + e.getValue()).collect(Collectors.joining(" "));
  }

  static String format(double value, int decimals) {
    return Double.isNaN(value) || Double.isInfinite(value) ? "–" : String.format("%,." + decimals + "f", value);
  }

  static String percent(double fraction) {
    return Double.isNaN(fraction) || Double.isInfinite(fraction) ? "–" : String.format("%.0f %%", fraction * 100);
  }

  /** The targets of issue 8, each with the number it is judged by. */
  String targets() {
    List<String> lines = new ArrayList<>();
    find("sendgrid-100", "closed").ifPresent(row -> lines.add(verdict(row.dbFraction() >= 0.6,
        "SendGrid-100 events/s ≥ 60 % of the database ceiling: " + percent(row.dbFraction()))));
    find("mailgun", "closed").ifPresent(row -> lines.add(verdict(row.httpFraction() >= 0.4,
        "Mailgun req/s ≥ 40 % of the HTTP ceiling: " + percent(row.httpFraction()))));
    for (Row row : rows) {
      if (row.mode().startsWith("open")) {
        double p99 = row.result().latencyMillis(99);
        lines.add(verdict(p99 <= 50, row.scenario() + " p99 ≤ 50 ms at " + row.load() + ": " + format(p99, 1) + " ms"));
      }
    }
    double heapPeak = rows.stream().mapToDouble(r -> r.cost().heapPeakBytes()).max().orElse(Double.NaN);
    lines.add(verdict(heapPeak <= 512e6, "heap ≤ 512 MB: peak " + format(heapPeak / 1e6, 0) + " MB"));
    if (!Double.isNaN(liveBefore) && !Double.isNaN(liveAfter)) {
      // Flat: what is still reachable after the soak is within what caches and pools may
      // legitimately fill (10 % or 16 MB), not a steady growth with the traffic.
      lines.add(verdict(liveAfter <= Math.max(liveBefore * 1.1, liveBefore + 16e6),
          "heap flat over the " + format(soakSeconds, 0) + " s soak: live heap after a full GC "
              + format(liveBefore / 1e6, 0) + " MB before, " + format(liveAfter / 1e6, 0) + " MB after"));
    }
    return String.join("\n", lines);
  }

  private java.util.Optional<Row> find(String scenario, String mode) {
    return rows.stream().filter(r -> r.scenario().equals(scenario) && r.mode().equals(mode)).findFirst();
  }

  private static String verdict(boolean met, String text) {
    return (met ? "MET   " : "MISSED") + "  " + text;
  }

  static String machine(Map<String, String> facts) {
    return facts.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; "));
  }
}
