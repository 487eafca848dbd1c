package io.emailgateway.api;

import static io.emailgateway.api.AdminApiIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Suppressions by hand, their paging and streamed CSV export, and dead work, through the real management port. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SuppressionsAndDeadIT {
  private static final int CSV_ROWS = 100_000;
  /**
   * Rows padded so the export is half as large again as what loopback's socket buffers can take in
   * while the client does not read (the kernel's largest receive plus send buffer, 36 MB here):
   * with 60-byte rows the whole export now and then fitted in them, finished and closed its cursor
   * before the check.
   */
  private static final int CSV_ADDRESS_PADDING = (int) (1.5 * (largestBuffer("tcp_rmem") + largestBuffer("tcp_wmem")) / CSV_ROWS);

  private static long largestBuffer(String setting) {
    try {
      String[] values = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4", setting)).trim().split("\\s+");
      return Long.parseLong(values[values.length - 1]);
    } catch (java.io.IOException | RuntimeException notLinux) {
      return 16L << 20;
    }
  }
  private TestDatabase db;
  private TestGateway gateway;
  private AdminClient api;

  @BeforeAll
  void start() {
    db = new TestDatabase(getClass());
    // Handlers off: the dead rows set up here must stay where the tests put them until retried.
    gateway = TestGateway.start(db.uri(), new JsonArray(), new JsonObject()
        .put("admin", new JsonObject().put("token", AdminApiIT.TOKEN)).put("handlers", new JsonObject().put("enabled", false)));
    api = new AdminClient(gateway.managementPort(), AdminApiIT.TOKEN);
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    db.close();
  }

  @Test
  void addressSuppressedByHandIsListedThenLiftedAndBothChangesAreRecorded() {
    HttpResponse<String> added = api.put("/suppressions/Carl@Example.com",
        new JsonObject().put("reason", "complaint").put("note", "called support"));
    assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
    assertThat(new JsonObject(added.body()).getBoolean("active")).isTrue();
    assertThat(db.count("SELECT is_suppressed('carl@example.com')::int")).isEqualTo(1);

    JsonObject carl = api.json("/suppressions/carl@example.com");
    assertThat(carl.getBoolean("suppressed")).isTrue();
    assertThat(carl.getJsonArray("entries").getJsonObject(0).getString("source")).isEqualTo("admin");
    assertThat(api.json("/suppressions?reason=complaint&source=admin").getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("address"))).contains("carl@example.com");

    HttpResponse<String> lifted = api.delete("/suppressions/carl@example.com?note=customer%20asked");
    assertThat(lifted.statusCode()).as(lifted.body()).isEqualTo(200);
    JsonObject after = api.json("/suppressions/carl@example.com");
    assertThat(after.getBoolean("suppressed")).isFalse();
    assertThat(after.getJsonArray("changes").stream().map(change -> ((JsonObject) change).getString("action")))
        .containsExactly("added", "lifted");
    assertThat(after.getJsonArray("changes").getJsonObject(1).getString("note")).isEqualTo("customer asked");
    assertThat(db.count("SELECT is_suppressed('carl@example.com')::int")).isZero();
    assertProblem(api.delete("/suppressions/carl@example.com"), 404, null);
    assertThat(api.json("/suppressions?active=false&source=admin").getJsonArray("items")).hasSize(1);
  }

  @Test
  void handAdditionNeedsAKnownReason() {
    assertProblem(api.put("/suppressions/dora@example.com", new JsonObject()), 400, "reason");
    assertProblem(api.put("/suppressions/dora@example.com", new JsonObject().put("reason", "dislike")), 400, "reason");
    assertProblem(api.put("/suppressions/not-an-address", new JsonObject().put("reason", "invalid")), 400, "address");
    assertProblem(api.send("PUT", "/suppressions/dora@example.com", AdminApiIT.TOKEN, "not json"), 400, "body");
    assertThat(db.count("SELECT count(*) FROM suppressions WHERE address = 'dora@example.com'")).isZero();
  }

  @Test
  void suppressionsArePagedWithoutGapsOrRepeats() {
    AdminClient.execute(db, "INSERT INTO suppressions (address, scope, reason, first_seen_at, last_seen_at, count, source)"
        + " SELECT 'page' || g || '@example.com', s, 'hard_bounce', now(), now(), 1, 'pager'"
        + " FROM generate_series(1, 20) g, unnest(ARRAY['*', 'sg']) s");
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = api.json("/suppressions?source=pager&reason=hard_bounce&limit=6" + (cursor == null ? "" : "&cursor=" + cursor));
      page.getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getString("address") + "/"
          + ((JsonObject) item).getString("scope")));
      cursor = page.getString("next_cursor");
    } while (cursor != null);
    assertThat(seen).hasSize(40).doesNotHaveDuplicates().isSorted();
  }

  /**
   * The export streams: after the client has read only the first line and stopped reading, the
   * server is still holding its cursor open (it has not read every row into memory and finished);
   * once the client reads on, every row arrives.
   */
  @Test
  void csvExportOfManyRowsStreamsWithBackpressure() throws Exception {
    AdminClient.execute(db, "INSERT INTO suppressions (address, scope, reason, first_seen_at, last_seen_at, count, source)"
        + " SELECT 'csv' || g || repeat('x', " + CSV_ADDRESS_PADDING + ") || '@example.com', '*', 'invalid', now(), now(), 1,"
        + " 'csv' FROM generate_series(1, " + CSV_ROWS + ") g");
    HttpResponse<InputStream> response = api.stream("/suppressions.csv?source=csv");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
    assertThat(response.headers().firstValue("Content-Length")).isEmpty();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8), 64)) {
      assertThat(reader.readLine()).startsWith("address,scope,reason,active");
      Thread.sleep(1000);
      assertThat(db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
          + " AND state LIKE 'idle in transaction%' AND query LIKE '%FROM suppressions s%'")).isEqualTo(1);
      assertProblemWithRetryAfter(api.get("/suppressions.csv?source=csv"));
      long rows = reader.lines().count();
      assertThat(rows).isEqualTo(CSV_ROWS);
    }
    AdminClient.await("cursor closed", () -> db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        + " AND query LIKE '%FROM suppressions s%' AND state LIKE 'idle in transaction%'") == 0);
  }

  private static void assertProblemWithRetryAfter(HttpResponse<String> secondExport) {
    assertProblem(secondExport, 503, null);
    assertThat(secondExport.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void deadHandlerWorkAndDeadForwardsAreListedAndRetried() {
    AdminClient.execute(db, "INSERT INTO handler_dead_events (event_id, attempts, last_error, parked_at)"
        + " VALUES (101, 5, 'boom', '2026-01-01T00:00:00Z'), (102, 5, 'boom', '2026-01-01T00:00:01Z')");
    AdminClient.execute(db, "INSERT INTO deliveries (destination, event_id, state, attempts, last_status, last_error, dead_at)"
        + " VALUES ('crm', 201, 'dead', 8, 500, 'HTTP 500', '2026-01-01T00:00:02Z'),"
        + " ('crm', 202, 'dead', 8, 500, 'HTTP 500', '2026-01-01T00:00:03Z'),"
        + " ('bi', 203, 'dead', 8, 404, 'HTTP 404', '2026-01-01T00:00:04Z')");

    List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = api.json("/dead?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
      page.getJsonArray("items").forEach(item -> ids.add(((JsonObject) item).getString("id")));
      cursor = page.getString("next_cursor");
    } while (cursor != null);
    assertThat(ids).containsExactly("handler-101", "handler-102", "delivery-1", "delivery-2", "delivery-3");
    assertThat(api.json("/dead?kind=delivery&destination=crm").getJsonArray("items")).hasSize(2);

    assertThat(api.post("/dead/handler-101/retry").statusCode()).isEqualTo(200);
    assertThat(db.count("SELECT count(*) FROM outbox WHERE event_ids = ARRAY[101]::bigint[]")).isEqualTo(1);
    assertProblem(api.post("/dead/handler-101/retry"), 404, null);

    HttpResponse<String> bulk = api.post("/dead/retry?kind=delivery&destination=crm");
    assertThat(new JsonObject(bulk.body()).getJsonObject("retried"))
        .isEqualTo(new JsonObject().put("handler", 0).put("delivery", 2));
    assertThat(db.count("SELECT count(*) FROM deliveries WHERE state = 'pending' AND attempts = 0")).isEqualTo(2);
    assertThat(db.count("SELECT count(*) FROM handler_dead_events")).isEqualTo(1);

    assertThat(new JsonObject(api.post("/dead/retry").body()).getJsonObject("retried"))
        .isEqualTo(new JsonObject().put("handler", 1).put("delivery", 1));
    assertThat(api.json("/dead").getJsonArray("items")).isEmpty();
  }
}
