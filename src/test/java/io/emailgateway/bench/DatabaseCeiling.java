package io.emailgateway.bench;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.provider.WebhookRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The database ceiling: rows per second of a plain multi-row {@code INSERT … VALUES} of the same
 * rows the gateway stores for a workload (its own provider parses the same bodies), one statement
 * per request-sized batch, each its own transaction with {@code synchronous_commit = on}, from
 * {@code concurrency} connections, into a table shaped like {@code events} (same columns, unique
 * key and indexes). No gateway, no HTTP, no JSON work on the client side during the run.
 */
final class DatabaseCeiling {
  static final String TABLE = "bench_ceiling_events";
  private static final String COLUMNS = "source, provider, event_key, type, bounce_type, reject_reason, occurred_at, "
      + "message_id, recipient, sender, subject, tags, metadata, click_url, user_agent, ip, mta_response, "
      + "description, esp_event";
  private static final int FIELDS = 19;

  static final String APPLICATION_NAME = "bench-db-ceiling";

  /** Rows per second, and the CPU its PostgreSQL backends spent per row. */
  record Result(double rowsPerSecond, double postgresMicrosPerRow) {}

  private final Vertx vertx;
  private final String pgUri;
  private final CpuMeter backends;

  DatabaseCeiling(Vertx vertx, String pgUri, CpuMeter backends) {
    this.vertx = vertx;
    this.pgUri = pgUri;
    this.backends = backends;
  }

  /** Rows per second over {@code seconds}, after {@code warmup} seconds not counted. */
  Result measure(Workload workload, String run, int concurrency, double warmup, double seconds) {
    List<Object[]> template = rows(workload);
    String sql = insert(template.size());
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(concurrency))
        .connectingTo(PgConnectOptions.fromUri(pgUri).setCachePreparedStatements(true)
            .addProperty("application_name", APPLICATION_NAME).addProperty("synchronous_commit", "on"))
        .using(vertx).build();
    try {
      pool.query("CREATE TABLE IF NOT EXISTS " + TABLE + " (LIKE events INCLUDING ALL)").execute().await();
      AtomicInteger batches = new AtomicInteger();
      run(pool, sql, template, run + "w", batches, concurrency, warmup);
      CpuMeter.Split before = backends.read();
      long start = System.nanoTime();
      long rows = run(pool, sql, template, run, batches, concurrency, seconds);
      double elapsed = (System.nanoTime() - start) / 1e9;
      return new Result(rows / elapsed, backends.read().minus(before).postgres() * 1e6 / rows);
    } finally {
      pool.close().await();
    }
  }

  private long run(Pool pool, String sql, List<Object[]> template, String run, AtomicInteger batches,
      int concurrency, double seconds) {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    AtomicLong rows = new AtomicLong();
    AtomicInteger running = new AtomicInteger(concurrency);
    Promise<Void> done = Promise.promise();
    for (int c = 0; c < concurrency; c++) {
      vertx.getOrCreateContext().runOnContext(v -> loop(pool, sql, template, run, batches, deadline, rows, running, done));
    }
    try {
      done.future().toCompletionStage().toCompletableFuture().get((long) seconds + 120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("database ceiling did not finish", e);
    }
    return rows.get();
  }

  private void loop(Pool pool, String sql, List<Object[]> template, String run, AtomicInteger batches, long deadline,
      AtomicLong rows, AtomicInteger running, Promise<Void> done) {
    if (System.nanoTime() >= deadline) {
      if (running.decrementAndGet() == 0) {
        done.complete();
      }
      return;
    }
    Tuple values = values(template, run + "-" + batches.getAndIncrement());
    Future<?> insert = pool.preparedQuery(sql).execute(values).onSuccess(r -> rows.addAndGet(template.size()));
    insert.onComplete(r -> {
      if (r.failed()) {
        done.tryFail(r.cause());
        return;
      }
      loop(pool, sql, template, run, batches, deadline, rows, running, done);
    });
  }

  /** The rows of one request as the gateway's provider makes them. */
  private static List<Object[]> rows(Workload workload) {
    Presigned request = workload.request("ceiling", 0);
    String contentType = request.headers().get("Content-Type").split(";")[0].trim().toLowerCase(Locale.ROOT);
    WebhookRequest parsed = new WebhookRequest(workload.source(), contentType, request.headers(),
        MultiMap.caseInsensitiveMultiMap(), request.body(), "127.0.0.1", Instant.now());
    List<Object[]> rows = new ArrayList<>();
    for (EmailEvent e : workload.provider().parse(parsed)) {
      rows.add(new Object[] {e.source(), e.provider(), e.eventKey(), e.type().wireName(),
          e.bounceType() == null ? null : e.bounceType().wireName(),
          e.rejectReason() == null ? null : e.rejectReason().wireName(),
          OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC), e.messageId(), e.recipient(), e.sender(),
          e.subject(), e.tags().toArray(String[]::new), e.metadata().encode(), e.clickUrl(), e.userAgent(), e.ip(),
          e.mtaResponse(), e.description(), e.espEvent().encode()});
    }
    return rows;
  }

  /** The template rows with keys unique to this batch. */
  private static Tuple values(List<Object[]> template, String batch) {
    List<Object> values = new ArrayList<>(template.size() * FIELDS);
    for (int i = 0; i < template.size(); i++) {
      Object[] row = template.get(i);
      for (int f = 0; f < FIELDS; f++) {
        values.add(f == 2 ? batch + "-" + i : row[f]);
      }
    }
    return Tuple.wrap(values);
  }

  private static String insert(int rows) {
    StringBuilder sql = new StringBuilder("INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES ");
    for (int r = 0; r < rows; r++) {
      int p = r * FIELDS;
      sql.append(r == 0 ? "(" : ", (");
      for (int f = 1; f <= FIELDS; f++) {
        String cast = f == 12 ? "::text[]" : f == 13 || f == 19 ? "::text::jsonb" : "";
        sql.append(f == 1 ? "" : ", ").append('$').append(p + f).append(cast);
      }
      sql.append(')');
    }
    return sql.toString();
  }
}
