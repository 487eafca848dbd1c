package io.emailgateway.bench;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the phases of each scenario in order and collects the table: closed-loop warm-up and run
 * against the gateway (CPU and heap sampled), the HTTP and database ceilings with the same
 * traffic, the open-loop run, and the check in PostgreSQL after each gateway phase.
 */
final class Scenarios implements AutoCloseable {
  private static final int MAX_OPEN_CONNECTIONS = 256;

  private final LoadGenerator load;
  private final GatewayProbe probe;
  private final DatabaseActivity activity;
  private final DatabaseCeiling dbCeiling;
  private final StoredEvents stored;
  private final ResultTable table = new ResultTable();
  private final Map<String, Double> sustainedRates = new HashMap<>();
  private final String gateway;
  private final String ceiling;
  private final String stamp = "b" + Long.toString(System.currentTimeMillis(), 36);
  private final double seconds;
  private final double warmup;
  private final int connections;
  private final int eventsInFlight;
  private final String jdbc;
  private final double openFraction;
  /** Requests/s of every open-loop phase when set (A/B runs offer the same load), else a fraction of the sustained rate. */
  private final double openRate;
  private final long poolBytes;
  private final boolean ceilings;
  /** Connection counts the database ceiling is measured with (each at most the closed loop's); the best counts. */
  private final List<Integer> ceilingConnections;
  private final Path dir;
  private long lost;

  Scenarios(Vertx vertx, Map<String, String> o, Map<String, String> machine) throws Exception {
    this.gateway = o.get("gateway");
    this.dir = Path.of(o.getOrDefault("dir", "."));
    this.ceiling = o.get("ceiling");
    this.seconds = Double.parseDouble(o.getOrDefault("seconds", "10"));
    this.warmup = Double.parseDouble(o.getOrDefault("warmup", "3"));
    this.connections = Integer.parseInt(o.getOrDefault("connections", "32"));
    this.eventsInFlight = Integer.parseInt(o.getOrDefault("events-in-flight", "3200"));
    this.openFraction = Double.parseDouble(o.getOrDefault("open-fraction", "0.7"));
    this.openRate = Double.parseDouble(o.getOrDefault("open-rate", "NaN"));
    this.poolBytes = Long.parseLong(o.getOrDefault("pool-mb", "1024")) * 1_000_000;
    this.ceilings = Boolean.parseBoolean(o.getOrDefault("ceilings", "true"));
    this.ceilingConnections = Arrays.stream(o.getOrDefault("ceiling-connections", "4,32").split(","))
        .map(String::trim).map(Integer::valueOf).toList();
    this.load = new LoadGenerator(vertx, Math.max(connections, MAX_OPEN_CONNECTIONS), 2);
    this.jdbc = jdbcUrl(o.get("pg"));
    this.stored = new StoredEvents(jdbc);
    this.activity = new DatabaseActivity(jdbc);
    long pid = Long.parseLong(o.get("gateway-pid"));
    this.probe = new GatewayProbe(pid, new CpuMeter(pid, jdbc, "email-webhook-gateway"), o.get("management"));
    this.dbCeiling = new DatabaseCeiling(vertx, o.get("pg"), new CpuMeter(0, jdbc, DatabaseCeiling.APPLICATION_NAME));
    machine.put("phases", "warm-up " + warmup + " s, run " + seconds + " s, " + connections + " connections (at most "
        + eventsInFlight + " events outstanding), open loop at " + (Double.isNaN(openRate)
            ? Math.round(openFraction * 100) + " % of the sustained rate (closed loop, handlers' catch-up included)"
            : openRate + " requests/s"));
  }

  void run(Workload workload, boolean openLoop) throws Exception {
    int conns = connectionsFor(workload);
    Closed closed = closedLoop(workload, conns);
    double rate = sustained(workload, closed.result().requestsPerSecond(), settle());
    sustainedRates.put(workload.name(), rate);
    ResultTable.Row open = openLoop ? open(workload, openRate(rate), seconds, false) : null;
    double http = ceilings ? httpCeiling(workload, closed.pool(), conns) : Double.NaN;
    DatabaseCeiling.Result db = ceilings ? databaseCeiling(workload, conns) : new DatabaseCeiling.Result(Double.NaN, Double.NaN);
    table.add(new ResultTable.Row(workload.name(), "closed", conns + " conns", closed.result(), closed.cost(), db, http,
        closed.lostEvents()));
    if (open != null) {
      table.add(open);
    }
  }

  /** The closed loop's result and cost, the requests it was given (the HTTP ceiling reuses them) and the events it lost. */
  private record Closed(PhaseResult result, GatewayProbe.Cost cost, RequestSource pool, long lostEvents) {}

  /** Warm-up, then the measured closed loop, each checked in PostgreSQL. */
  private Closed closedLoop(Workload workload, int conns) throws Exception {
    String name = workload.name();
    String gatewayUrl = gateway + "/webhooks/" + workload.source();
    String base = stamp + "-" + name;
    double guess = workload.guessRequestsPerSecond();
    RequestSource warm = presign(workload, base + "-w", (int) Math.max(conns * 4, guess * warmup));
    PhaseResult warmed = load.closed(gatewayUrl, warm, conns, warmup, false, true);
    long warmLost = check(workload, base + "-w", warm.size(), warmed);
    progress(name, "warm-up", warmed);

    RequestSource pool = presign(workload, base + "-m",
        (int) Math.ceil(Math.max(warmed.requestsPerSecond() * 3, guess) * seconds) + conns * 2);
    settle();
    GatewayProbe.Sampling sampling = probe.start();
    DatabaseActivity.Recording recording = activity.start();
    PhaseResult closed = load.closed(gatewayUrl, pool, conns, seconds, false, true);
    List<DatabaseActivity.Sample> samples = recording.stop();
    GatewayProbe.Cost cost = sampling.stop();
    long closedLost = check(workload, base + "-m", pool.size(), closed);
    progress(name, "closed loop", closed);
    timeline(name + "-closed", closed, samples);
    cpu(name, cost, closed);
    return new Closed(closed, cost, pool, warmLost + closedLost);
  }

  private double httpCeiling(Workload workload, RequestSource pool, int conns) throws InterruptedException {
    settle(); // the gateway's handlers would otherwise still be at work beside the ceiling server
    String ceilingUrl = ceiling + "/webhooks/" + workload.source();
    load.closed(ceilingUrl, pool, conns, Math.min(warmup, 3), true, false);
    PhaseResult served = load.closed(ceilingUrl, pool, conns, seconds, true, false);
    progress(workload.name(), "HTTP ceiling", served);
    return served.requestsPerSecond();
  }

  private DatabaseCeiling.Result databaseCeiling(Workload workload, int conns) throws InterruptedException {
    DatabaseCeiling.Result best = null;
    for (int connections : ceilingConnections.stream().map(c -> Math.min(c, conns)).distinct().toList()) {
      settle();
      DatabaseCeiling.Result db = dbCeiling.measure(workload, stamp + "-" + workload.name() + "-db" + connections,
          connections, Math.min(warmup, 3), seconds);
      System.err.printf("%-14s database ceiling: %,.0f rows/s, PostgreSQL CPU %.0f µs/row (%d rows per statement, %d connections)%n",
          workload.name(), db.rowsPerSecond(), db.postgresMicrosPerRow(), workload.eventsPerRequest(), connections);
      if (best == null || db.rowsPerSecond() > best.rowsPerSecond()) {
        best = db;
      }
    }
    return best;
  }

  /**
   * The closed loop's connections, but at most {@code events-in-flight} events outstanding: past
   * what the database commits within {@code persist.shed_after}, the gateway rightly answers 503,
   * and a closed loop would only measure how fast it refuses.
   */
  private int connectionsFor(Workload workload) {
    return (int) Math.min(connections, Math.max(2, Math.ceil((double) eventsInFlight / workload.eventsPerRequest())));
  }

  /**
   * The rate the gateway keeps up with, its handlers included: the closed loop's requests over its
   * own duration plus the time the handlers then needed to finish its events. A closed loop is a
   * burst — the handlers yield to ingest while it runs and do most of their share afterwards — so
   * 70 % of its rate can be more than the machine sustains with the handlers keeping up (a soak at
   * 70 % of it once shed 749 requests); the open loop and the soak run at a fraction of this one.
   */
  private double sustained(Workload workload, double closedRate, double catchUpSeconds) {
    double rate = closedRate * seconds / (seconds + catchUpSeconds);
    System.err.printf("%-14s sustained with the handlers: %,.0f req/s (the closed loop's %,.0f req/s over %.0f s, then %.1f s"
        + " for the handlers to finish its events)%n", workload.name(), rate, closedRate, seconds, catchUpSeconds);
    return rate;
  }

  /**
   * Starts every phase from a steady state: first the handlers work off what the previous phase
   * left in the outbox (a closed loop outruns them, and they yield to ingest while it does — left
   * there, that backlog would compete with the next phase and count against it), then CHECKPOINT
   * lets the writes reach disk so that they do not slow the next phase either.
   */
  private double settle() throws InterruptedException {
    try (Connection connection = DriverManager.getConnection(jdbc)) {
      double handlerSeconds = awaitHandlers(connection);
      try {
        connection.createStatement().execute("CHECKPOINT");
      } catch (SQLException notSuperuser) {
        Thread.sleep(2000);
      }
      return handlerSeconds;
    } catch (SQLException unreachable) {
      Thread.sleep(2000);
      return 0;
    }
  }

  private static final long HANDLER_DRAIN_LIMIT_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(5);

  private static final long HANDLER_STALL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

  /**
   * Waits (at most 5 minutes) until the outbox is empty and says how fast the handlers caught up;
   * returns the seconds until the last progress seen (0 when there was nothing to do). An outbox
   * that does not shrink for 5 s means the handlers are off (BENCH_HANDLERS=false): no wait.
   */
  private static double awaitHandlers(Connection connection) throws SQLException, InterruptedException {
    long started = System.nanoTime();
    long first = outboxEvents(connection);
    long left = first;
    long progressed = started;
    while (left > 0 && System.nanoTime() - started < HANDLER_DRAIN_LIMIT_NANOS
        && System.nanoTime() - progressed < HANDLER_STALL_NANOS) {
      Thread.sleep(500);
      long now = outboxEvents(connection);
      if (now < left) {
        progressed = System.nanoTime();
      }
      left = now;
    }
    if (first > 0 && left < first) {
      double seconds = (progressed - started) / 1e9;
      System.err.printf("%-14s handlers caught up on %,d events in %.1f s (%,.0f events/s)%s%n", "", first - left, seconds,
          (first - left) / seconds, left > 0 ? "; " + left + " still waiting, going on" : "");
      return seconds;
    } else if (left > 0) {
      System.err.printf("%-14s handlers did not take any of the %,d events in the outbox for 5 s (off?); going on%n", "", left);
    }
    return 0;
  }

  private static long outboxEvents(Connection connection) throws SQLException {
    try (java.sql.ResultSet rows = connection.createStatement()
        .executeQuery("SELECT coalesce(sum(cardinality(event_ids)), 0) FROM outbox")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** A long open-loop run (heap flat?), requests signed just ahead of use so they need not all fit in memory. */
  void soak(Workload workload, double soakSeconds) throws Exception {
    Double sustained = sustainedRates.get(workload.name());
    if (sustained == null) {
      throw new IllegalArgumentException("soak needs the closed-loop run of " + workload.name() + " first");
    }
    // Measured with the handlers idle: a concurrent collector (ZGC) counts what is allocated during
    // and after its cycle as in use, and the handlers catching up allocate tens of MB a second.
    settle();
    double liveBefore = probe.liveHeapBytes();
    table.add(open(workload, openRate(sustained), soakSeconds, true));
    settle();
    double liveAfter = probe.liveHeapBytes();
    table.liveHeap(liveBefore, liveAfter, soakSeconds);
    System.err.printf("%-14s live heap after a full GC: %.0f MB before the soak, %.0f MB after%n", workload.name(),
        liveBefore / 1e6, liveAfter / 1e6);
  }

  private double openRate(double sustainedRate) {
    return Double.isNaN(openRate) ? openFraction * sustainedRate : openRate;
  }

  private ResultTable.Row open(Workload workload, double rate, double duration, boolean soak) throws Exception {
    String run = stamp + "-" + workload.name() + (soak ? "-s" : "-o");
    int count = (int) Math.round(rate * duration);
    RequestSource source = soak
        ? RequestSource.signedAhead(workload, run, count, (int) Math.max(100, rate * 5))
        : presign(workload, run, count);
    settle();
    GatewayProbe.Sampling sampling = probe.start();
    DatabaseActivity.Recording recording = activity.start();
    PhaseResult result = load.open(gateway + "/webhooks/" + workload.source(), source, rate, duration, true);
    List<DatabaseActivity.Sample> samples = recording.stop();
    GatewayProbe.Cost cost = sampling.stop();
    long missing = check(workload, run, source.size(), result);
    progress(workload.name(), soak ? "soak" : "open loop", result);
    timeline(workload.name() + (soak ? "-soak" : "-open"), result, samples);
    cpu(workload.name(), cost, result);
    return new ResultTable.Row(workload.name(), soak ? "open (soak " + Math.round(duration) + " s)" : "open",
        String.format("%.0f req/s", rate), result, cost, new DatabaseCeiling.Result(Double.NaN, Double.NaN), Double.NaN,
        missing);
  }

  /**
   * The phase's latency in 100 ms slots with PostgreSQL's activity in each, for finding stalls and
   * what the commits waited for in them: {@code <dir>/<phase>.timeline.csv}.
   */
  private void timeline(String phase, PhaseResult result, List<DatabaseActivity.Sample> samples) throws IOException {
    Path file = dir.resolve(phase + ".timeline.csv");
    result.timeline().write(file, samples, phase).forEach(System.err::println);
    System.err.printf("%-14s %.0f %% of 100 ms slots had a request slower than 50 ms (%s)%n", phase,
        result.timeline().slowSlotShare() * 100, file);
  }

  private RequestSource presign(Workload workload, String run, int wanted) {
    long bytesPerRequest = workload.request("size", 0).body().length() + 512L;
    int count = (int) Math.max(1, Math.min(wanted, poolBytes / bytesPerRequest));
    if (count < wanted) {
      System.err.printf("%-14s pre-signing %,d requests, not %,d: --pool-mb bounds them%n", workload.name(), count, wanted);
    }
    return RequestSource.presigned(workload, run, count);
  }

  private long check(Workload workload, String run, int requests, PhaseResult result) throws Exception {
    StoredEvents.Verdict verdict = stored.verify(workload.source(), run, requests, workload.eventsPerRequest(), result.acked());
    if (verdict.missingEvents() > 0) {
      System.err.printf("%-14s LOST: %,d acknowledged events (of %,d requests) are not in PostgreSQL%n", workload.name(),
          verdict.missingEvents(), verdict.requestsWithMissingEvents());
    }
    if (verdict.storedWithoutAck() > 0) {
      System.err.printf("%-14s note: %,d requests were stored but not answered 200 (timed out or failed late)%n",
          workload.name(), verdict.storedWithoutAck());
    }
    lost += verdict.missingEvents();
    return verdict.missingEvents();
  }

  private static void progress(String name, String phase, PhaseResult r) {
    System.err.printf("%-14s %-13s %,9.0f req/s %,10.0f events/s  p50 %.1f  p99 %.1f ms  %s%s%n", name, phase,
        r.requestsPerSecond(), r.eventsPerSecond(), r.latencyMillis(50), r.latencyMillis(99),
        r.outcomes().isEmpty() ? "" : "errors " + r.outcomes(), r.ranOut() ? " (ran out of requests)" : "");
  }

  private static void cpu(String name, GatewayProbe.Cost cost, PhaseResult r) {
    CpuMeter.Split cpu = cost.cpu();
    double events = r.acknowledgedEvents();
    System.err.printf("%-14s CPU µs/event: gateway %.0f (event loops %.0f, GC %.0f, JIT %.0f, other %.0f), PostgreSQL backends %.0f%n",
        name, cpu.gateway() * 1e6 / events, cpu.eventLoops() * 1e6 / events, cpu.gc() * 1e6 / events,
        cpu.jit() * 1e6 / events, cpu.otherJvm() * 1e6 / events, cpu.postgres() * 1e6 / events);
    GroupCommits commits = cost.commits();
    if (!Double.isNaN(commits.commits())) {
      System.err.printf("%-14s group commits: %,.0f, each %.1f requests and %.0f events on average; commit p50 ≤ %s ms,"
          + " p99 ≤ %s ms; wait for a writer p50 ≤ %s ms, p99 ≤ %s ms; the gateway's own ack latency p50 ≤ %s ms,"
          + " p99 ≤ %s ms%n", name,
          commits.commits(), commits.requestsPerCommit(), commits.eventsPerCommit(),
          millis(commits.commitSeconds().quantile(0.5)), millis(commits.commitSeconds().quantile(0.99)),
          millis(commits.queueSeconds().quantile(0.5)), millis(commits.queueSeconds().quantile(0.99)),
          millis(commits.ackSeconds().quantile(0.5)), millis(commits.ackSeconds().quantile(0.99)));
    }
  }

  private static String millis(double seconds) {
    return String.format("%.1f", seconds * 1000);
  }

  ResultTable table() {
    return table;
  }

  long lost() {
    return lost;
  }

  @Override
  public void close() {
    load.close();
    probe.close();
    activity.close();
  }

  /** The JDBC URL of a {@code postgresql://} URI, for the bench's own plain connections. */
  static String jdbcUrl(String postgresUri) {
    PgConnectOptions pg = PgConnectOptions.fromUri(postgresUri);
    return "jdbc:postgresql://" + pg.getHost() + ":" + pg.getPort() + "/" + pg.getDatabase()
        + "?user=" + pg.getUser() + (pg.getPassword() == null ? "" : "&password=" + pg.getPassword());
  }
}
