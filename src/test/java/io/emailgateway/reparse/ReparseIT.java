package io.emailgateway.reparse;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.cli.ReparseCommand;
import io.emailgateway.testing.Http;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.emailgateway.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code reparse} against a real PostgreSQL, through the command as an operator runs it. Events go
 * in through the gateway's HTTP port; then some rows are rewritten as a buggy old parser would
 * have stored them (parser_version 0). Source {@code sgh}: the handlers ran on the wrong values
 * before the re-parse; source {@code sgp}: the re-parse comes while their handlers have not run yet.
 * The tests run in order on one database, as the story of one repair.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReparseIT {
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private final String delivered = SendGridFixtures.eventId();
  private final String opened = SendGridFixtures.eventId();
  private final String bounced = SendGridFixtures.eventId();
  private final String processed = SendGridFixtures.eventId();
  private final String pendingDelivered = SendGridFixtures.eventId();
  private final String pendingOpened = SendGridFixtures.eventId();
  private TestDatabase db;
  private TestGateway gateway;
  private Path configFile;

  @BeforeAll
  void storeEventsAndCorruptSome() throws Exception {
    db = new TestDatabase(getClass());
    JsonArray sources = new JsonArray().add(source("sgh")).add(source("sgp"));
    configFile = Files.createTempFile("reparse-it", ".yaml");
    Files.writeString(configFile, new JsonObject()
        .put("postgres", new JsonObject().put("uri", db.uri()))
        .put("redis", new JsonObject().put("uri", TestServices.redisUri()))
        .put("sources", sources).put("handlers", perSourceSuppressions()).encodePrettily());

    TestGateway withoutHandlers = TestGateway.start(db.uri(), sources, new JsonObject().put("handlers", new JsonObject().put("enabled", false)));
    try {
      post(withoutHandlers, "sgh", List.of(SendGridFixtures.event(delivered, "delivered", "alice@example.com"),
          SendGridFixtures.event(opened, "open", "bob@example.com"),
          SendGridFixtures.event(bounced, "bounce", "carol@example.com"),
          SendGridFixtures.event(processed, "processed", "dave@example.com")));
      post(withoutHandlers, "sgp", List.of(SendGridFixtures.event(pendingDelivered, "delivered", "frank@example.com"),
          SendGridFixtures.event(pendingOpened, "open", "gina@example.com")));
    } finally {
      withoutHandlers.close();
    }
    for (String key : List.of(delivered, pendingDelivered)) {
      execute("UPDATE events SET type = 'bounced', bounce_type = 'hard', parser_version = 0 WHERE event_key = '" + key + "'");
    }
    execute("UPDATE events SET recipient = 'wrong-bob@example.com', parser_version = 0 WHERE event_key = '" + opened + "'");
    execute("UPDATE events SET recipient = 'wrong-gina@example.com', parser_version = 0 WHERE event_key = '" + pendingOpened + "'");
  }

  @AfterAll
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    db.close();
    Files.deleteIfExists(configFile);
  }

  @Test
  @Order(1)
  void dryRunReportsTheChangesAndWritesNothing() {
    long outboxRows = db.count("SELECT count(*) FROM outbox");

    assertThat(reparse("--source", "sgp", "--dry-run")).startsWith("0 dry run, nothing written: source sgp")
        .contains("scanned 2, changed 2").contains("unchanged 0, failed 0");

    assertThat(text("SELECT type FROM events WHERE event_key = '" + pendingDelivered + "'")).isEqualTo("bounced");
    assertThat(db.count("SELECT count(*) FROM outbox")).isEqualTo(outboxRows);
  }

  @Test
  @Order(2)
  void eventsWhoseHandlersHaveNotRunAreRewrittenWithoutQueueingThemTwice() {
    long outboxRows = db.count("SELECT count(*) FROM outbox");

    assertThat(reparse("--source", "sgp")).contains("scanned 2, changed 2 (requeued for handlers 0), unchanged 0, failed 0")
        .contains("bounce_type=1").contains("recipient=1").contains("type=1");

    assertThat(db.count("SELECT count(*) FROM outbox")).isEqualTo(outboxRows);
    assertThat(text("SELECT type || ' ' || coalesce(bounce_type, '-') || ' ' || parser_version || ' ' || (reparsed_at IS NOT NULL)"
        + " FROM events WHERE event_key = '" + pendingDelivered + "'")).isEqualTo("delivered - 1 true");
    assertThat(text("SELECT recipient FROM events WHERE event_key = '" + pendingOpened + "'")).isEqualTo("gina@example.com");
  }

  @Test
  @Order(3)
  void reparseAfterTheHandlersRanChangesOnlyWhatChangedAndTheHandlersCatchUpOnce() {
    gateway = TestGateway.start(db.uri(), new JsonArray().add(source("sgh")).add(source("sgp")),
        new JsonObject().put("handlers", perSourceSuppressions()));
    awaitCount("SELECT count(*) FROM outbox", 0);
    assertThat(db.count("SELECT bounced FROM deliverability WHERE source = 'sgh'")).isEqualTo(2);
    assertThat(db.count("SELECT opens FROM engagement WHERE recipient = 'wrong-bob@example.com'")).isEqualTo(1);
    List<String> untouchedBefore = rows("SELECT id, xmin, type, recipient, parser_version, reparsed_at FROM events"
        + " WHERE event_key IN ('" + bounced + "', '" + processed + "') ORDER BY id");

    assertThat(reparse("--source", "sgh")).contains("scanned 4, changed 2 (requeued for handlers 2), unchanged 2, failed 0");

    assertThat(rows("SELECT id, xmin, type, recipient, parser_version, reparsed_at FROM events"
        + " WHERE event_key IN ('" + bounced + "', '" + processed + "') ORDER BY id")).isEqualTo(untouchedBefore);
    assertThat(text("SELECT type || ' ' || parser_version FROM events WHERE event_key = '" + delivered + "'")).isEqualTo("delivered 1");
    assertThat(text("SELECT recipient FROM events WHERE event_key = '" + opened + "'")).isEqualTo("bob@example.com");
    awaitCount("SELECT count(*) FROM outbox", 0);
    awaitCount("SELECT count(*) FROM engagement WHERE recipient = 'bob@example.com' AND opens = 1", 1);

    assertThat(db.count("SELECT count(*) FROM engagement WHERE recipient = 'wrong-bob@example.com'")).isZero();
    assertThat(db.count("SELECT delivered * 10 + bounced FROM deliverability WHERE source = 'sgh'")).isEqualTo(11);
    assertThat(text("SELECT status || ' ' || event_count FROM messages WHERE recipient = 'alice@example.com'")).isEqualTo("delivered 1");
    // A suppression is never lifted by a re-parse (README "Re-parse"): its count no longer includes the event.
    assertThat(text("SELECT scope || ' ' || count || ' ' || active FROM suppressions WHERE address = 'alice@example.com'"))
        .isEqualTo("sgh 0 true");
  }

  @Test
  @Order(4)
  void eventsRewrittenBeforeTheirHandlersRanAreHandledOnceWithTheNewValues() {
    awaitCount("SELECT count(*) FROM outbox", 0);

    assertThat(db.count("SELECT delivered * 10 + bounced FROM deliverability WHERE source = 'sgp'")).isEqualTo(10);
    assertThat(text("SELECT status || ' ' || event_count FROM messages WHERE recipient = 'frank@example.com'")).isEqualTo("delivered 1");
    assertThat(db.count("SELECT opens FROM engagement WHERE recipient = 'gina@example.com'")).isEqualTo(1);
    assertThat(db.count("SELECT count(*) FROM engagement WHERE recipient = 'wrong-gina@example.com'")).isZero();
    assertThat(db.count("SELECT count(*) FROM suppressions WHERE address = 'frank@example.com'")).isZero();
  }

  @Test
  @Order(5)
  void reparseAgainChangesNothing() {
    List<String> before = rows("SELECT id, xmin FROM events ORDER BY id");

    assertThat(reparse("--source", "sgh")).contains("scanned 4, changed 0 (requeued for handlers 0), unchanged 4, failed 0");

    assertThat(rows("SELECT id, xmin FROM events ORDER BY id")).isEqualTo(before);
  }

  @Test
  @Order(6)
  void theSinceBoundLeavesOlderEventsAlone() {
    execute("UPDATE events SET type = 'unknown' WHERE event_key = '" + processed + "'");

    assertThat(reparse("--source", "sgh", "--since", "2999-01-01")).contains("scanned 0, changed 0");

    assertThat(text("SELECT type FROM events WHERE event_key = '" + processed + "'")).isEqualTo("unknown");
    assertThat(reparse("--source", "sgh", "--since", "2020-01-01")).contains("scanned 4, changed 1");
    assertThat(text("SELECT type FROM events WHERE event_key = '" + processed + "'")).isEqualTo("queued");
  }

  @Test
  @Order(7)
  void anEventTheCurrentParserCannotTakeIsLeftAloneAndTheExitStatusSaysSo() {
    execute("UPDATE events SET provider = 'mailgun', type = 'unknown' WHERE event_key = '" + bounced + "'");
    List<String> before = rows("SELECT id, xmin FROM events WHERE event_key = '" + bounced + "'");

    assertThat(reparse("--source", "sgh")).startsWith("3 source sgh").contains("changed 0").contains("failed 1");

    assertThat(rows("SELECT id, xmin FROM events WHERE event_key = '" + bounced + "'")).isEqualTo(before);
  }

  @Test
  @Order(8)
  void anUnknownSourceIsAnErrorNamingIt() {
    assertThat(reparse("--source", "nope")).isEqualTo("1 reparse failed: no source 'nope' in the configuration\n");
  }

  private String reparse(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", configFile.toString()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = ReparseCommand.run(all.toArray(String[]::new), Map.of(), stream, stream);
    return status + " " + out.toString(StandardCharsets.UTF_8);
  }

  /** Suppression lists per source (the command must use the gateway's scope to find the entries). */
  private static JsonObject perSourceSuppressions() {
    return new JsonObject().put("suppression", new JsonObject().put("scope", "source"));
  }

  private JsonObject source(String id) {
    return new JsonObject().put("id", id).put("provider", "sendgrid").put("public_keys", new JsonArray().add(sendgrid.publicKey()));
  }

  private void post(TestGateway target, String source, List<String> events) {
    byte[] body = SendGridFixtures.batch(events);
    assertThat(Http.post(target.port(), "/webhooks/" + source, sendgrid.signedHeaders(body), body).statusCode()).isEqualTo(200);
  }

  private void execute(String sql) {
    db.query("WITH changed AS (" + sql + " RETURNING 1) SELECT count(*) FROM changed", rows -> {
      rows.next();
      assertThat(rows.getLong(1)).as(sql).isPositive();
    });
  }

  private String text(String sql) {
    List<String> values = rows(sql);
    assertThat(values).as(sql).hasSize(1);
    return values.get(0);
  }

  private List<String> rows(String sql) {
    List<String> result = new ArrayList<>();
    db.query(sql, rows -> {
      int columns = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(i > 1 ? " " : "").append(rows.getString(i));
        }
        result.add(row.toString());
      }
    });
    return result;
  }

  private void awaitCount(String sql, long expected) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (db.count(sql) != expected && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    assertThat(db.count(sql)).as(sql).isEqualTo(expected);
  }
}
