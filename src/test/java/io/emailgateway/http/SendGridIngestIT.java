package io.emailgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.Http;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The whole ingest path through the real HTTP port into a real PostgreSQL, with SendGrid requests. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SendGridIngestIT {
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private final SendGridFixtures stranger = new SendGridFixtures();
  private TestDatabase db;
  private TestGateway gateway;

  @BeforeAll
  void start() {
    db = new TestDatabase(getClass());
    JsonArray sources = new JsonArray()
        .add(new JsonObject().put("id", "sg").put("provider", "sendgrid").put("public_keys", new JsonArray().add(sendgrid.publicKey())))
        .add(new JsonObject().put("id", "sg-unconfigured").put("provider", "sendgrid").put("public_keys", new JsonArray().add("")));
    // Handlers off: these tests look at the outbox rows the ingest path writes, which handlers would consume.
    gateway = TestGateway.start(db.uri(), sources, new JsonObject().put("http", new JsonObject().put("max_body_bytes", 65536))
        .put("handlers", new JsonObject().put("enabled", false)));
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    db.close();
  }

  @Test
  void signedBatchIsStoredAndAnsweredWithItsCounts() {
    List<String> ids = List.of(SendGridFixtures.eventId(), SendGridFixtures.eventId(), SendGridFixtures.eventId());
    byte[] body = SendGridFixtures.batch(List.of(
        SendGridFixtures.event(ids.get(0), "delivered", "Alice@Example.com"),
        SendGridFixtures.event(ids.get(1), "open", "bob@example.com"),
        SendGridFixtures.event(ids.get(2), "bounce", "carol@example.com")));

    HttpResponse<String> response = post("/webhooks/sg", sendgrid.signedHeaders(body), body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body())).isEqualTo(new JsonObject().put("accepted", 3).put("duplicates", 0));
    assertThat(storedCount(ids)).isEqualTo(3);
    db.query("SELECT source, provider, type, recipient, occurred_at, tags, esp_event->>'customer_id', metadata->>'customer_id'"
        + " FROM events WHERE event_key = '" + ids.get(0) + "'", rows -> {
          assertThat(rows.next()).isTrue();
          assertThat(rows.getString(1)).isEqualTo("sg");
          assertThat(rows.getString(2)).isEqualTo("sendgrid");
          assertThat(rows.getString(3)).isEqualTo("delivered");
          assertThat(rows.getString(4)).isEqualTo("alice@example.com");
          assertThat(rows.getTimestamp(5).toInstant()).hasToString("2020-09-14T19:41:32Z");
          assertThat((String[]) rows.getArray(6).getArray()).containsExactly("welcome");
          assertThat(rows.getString(7)).isEqualTo("42");
          assertThat(rows.getString(8)).isEqualTo("42");
        });
    assertThat(db.count("SELECT count(*) FROM outbox o JOIN events e ON e.id = ANY(o.event_ids) WHERE e.event_key IN ("
        + quoted(ids) + ")")).isEqualTo(3);
  }

  @Test
  void tagsAndTheEspEventKeepQuotesBackslashesBracesAndEscapesAsSent() {
    String id = SendGridFixtures.eventId();
    String event = "{\"email\":\"t@example.com\",\"event\":\"delivered\",\"sg_event_id\":\"" + id + "\","
        + "\"timestamp\":1600112492,\"category\":[\"a \\\"b\\\"\",\"c\\\\d\",\"{x,y}\",\"NULL\",\"\"],"
        + "\"smtp-id\":\"\\u003cm@example.com\\u003e\"}";
    byte[] body = ("[" + event + "]\r\n").getBytes(StandardCharsets.UTF_8);

    assertThat(post("/webhooks/sg", sendgrid.signedHeaders(body), body).statusCode()).isEqualTo(200);
    db.query("SELECT tags, esp_event->>'smtp-id', esp_event = '" + event.replace("'", "''") + "'::jsonb"
        + " FROM events WHERE event_key = '" + id + "'", rows -> {
          assertThat(rows.next()).isTrue();
          assertThat((String[]) rows.getArray(1).getArray()).containsExactly("a \"b\"", "c\\d", "{x,y}", "NULL", "");
          assertThat(rows.getString(2)).isEqualTo("<m@example.com>");
          assertThat(rows.getBoolean(3)).isTrue();
        });
  }

  @Test
  void sameRequestAgainStoresNothingNewAndReportsDuplicates() {
    List<String> ids = List.of(SendGridFixtures.eventId(), SendGridFixtures.eventId());
    byte[] body = SendGridFixtures.batch(ids.stream().map(id -> SendGridFixtures.event(id, "delivered", "d@example.com")).toList());
    Map<String, String> headers = sendgrid.signedHeaders(body);
    assertThat(post("/webhooks/sg", headers, body).statusCode()).isEqualTo(200);

    HttpResponse<String> again = post("/webhooks/sg", headers, body);

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(again.body())).isEqualTo(new JsonObject().put("accepted", 0).put("duplicates", 2));
    assertThat(storedCount(ids)).isEqualTo(2);
  }

  @Test
  void requestHalfNewHalfKnownReportsBothCounts() {
    String known = SendGridFixtures.eventId();
    String fresh = SendGridFixtures.eventId();
    byte[] first = SendGridFixtures.batch(List.of(SendGridFixtures.event(known, "processed", "e@example.com")));
    assertThat(post("/webhooks/sg", sendgrid.signedHeaders(first), first).statusCode()).isEqualTo(200);
    byte[] both = SendGridFixtures.batch(List.of(SendGridFixtures.event(known, "processed", "e@example.com"),
        SendGridFixtures.event(fresh, "delivered", "e@example.com")));

    HttpResponse<String> response = post("/webhooks/sg", sendgrid.signedHeaders(both), both);

    assertThat(new JsonObject(response.body())).isEqualTo(new JsonObject().put("accepted", 1).put("duplicates", 1));
    assertThat(storedCount(List.of(known, fresh))).isEqualTo(2);
  }

  @Test
  void requestSignedWithAnotherKeyIsRefusedAndStoresNothing() {
    String id = SendGridFixtures.eventId();
    byte[] body = SendGridFixtures.batch(List.of(SendGridFixtures.event(id, "delivered", "f@example.com")));

    HttpResponse<String> response = post("/webhooks/sg", stranger.signedHeaders(body), body);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).isEqualTo("{\"error\":\"unauthorized\"}");
    assertThat(storedCount(List.of(id))).isZero();
  }

  @Test
  void bodyChangedAfterSigningIsRefusedAndStoresNothing() {
    String id = SendGridFixtures.eventId();
    byte[] signed = SendGridFixtures.batch(List.of(SendGridFixtures.event(id, "delivered", "g@example.com")));
    byte[] tampered = new String(signed, StandardCharsets.UTF_8).replace("delivered", "bounce").getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> response = post("/webhooks/sg", sendgrid.signedHeaders(signed), tampered);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(storedCount(List.of(id))).isZero();
  }

  @Test
  void unsignedRequestIsRefused() {
    byte[] body = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "h@example.com")));
    assertThat(post("/webhooks/sg", Map.of("Content-Type", "application/json"), body).statusCode()).isEqualTo(401);
  }

  @Test
  void signedButMalformedBodyIsRefusedWith400NamingTheProblem() {
    byte[] body = "{\"not\":\"an array\"}\r\n".getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> response = post("/webhooks/sg", sendgrid.signedHeaders(body), body);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(response.body()).getString("error")).isNotBlank().isNotEqualTo("unauthorized");
  }

  @Test
  void unknownOrUnconfiguredSourceIs404() {
    byte[] body = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "i@example.com")));
    assertThat(post("/webhooks/nope", sendgrid.signedHeaders(body), body).statusCode()).isEqualTo(404);
    assertThat(post("/webhooks/sg-unconfigured", sendgrid.signedHeaders(body), body).statusCode()).isEqualTo(404);
    assertThat(Http.head(gateway.port(), "/webhooks/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void urlChecksAnswer200ForAKnownSource() {
    assertThat(Http.head(gateway.port(), "/webhooks/sg").statusCode()).isEqualTo(200);
    assertThat(Http.get(gateway.port(), "/webhooks/sg").statusCode()).isEqualTo(200);
  }

  @Test
  void contentTypeSendGridNeverSendsIs415() {
    byte[] body = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "j@example.com")));
    Map<String, String> headers = new java.util.HashMap<>(sendgrid.signedHeaders(body));
    headers.put("Content-Type", "text/xml");
    assertThat(post("/webhooks/sg", headers, body).statusCode()).isEqualTo(415);
  }

  @Test
  void bodyOverTheLimitIs413AndStoresNothing() {
    String id = SendGridFixtures.eventId();
    List<String> events = new ArrayList<>();
    events.add(SendGridFixtures.event(id, "delivered", "k@example.com"));
    for (int i = 0; i < 400; i++) {
      events.add(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "k@example.com"));
    }
    byte[] body = SendGridFixtures.batch(events);
    assertThat(body.length).isGreaterThan(65536);

    assertThat(post("/webhooks/sg", sendgrid.signedHeaders(body), body).statusCode()).isEqualTo(413);
    assertThat(storedCount(List.of(id))).isZero();
  }

  @Test
  void a413IsAnsweredWhileTheSenderIsStillSendingItsBody() throws Exception {
    byte[] chunk = new byte[100_000];
    java.util.Arrays.fill(chunk, (byte) ' ');
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      java.io.OutputStream out = socket.getOutputStream();
      out.write(("POST /webhooks/sg HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: 300000\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.write(chunk);
      out.flush();
      Thread.sleep(300); // the gateway has answered 413 by now; the rest of the body is still on its way
      out.write(chunk);
      out.flush();
      byte[] head = socket.getInputStream().readNBytes(12);
      assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 413");
    }
  }

  @Test
  void concurrentOverlappingRequestsStoreEachEventOnce() throws Exception {
    // 40 requests of 10 events over 20 ids: windows [0,10) … [10,20) overlap, and both persist
    // verticles write at once, so the same keys race in different transactions.
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(SendGridFixtures.eventId());
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (int r = 0; r < 40; r++) {
      int offset = r % 11;
      byte[] body = SendGridFixtures.batch(ids.subList(offset, offset + 10).stream()
          .map(id -> SendGridFixtures.event(id, "delivered", "l@example.com")).toList());
      Map<String, String> headers = sendgrid.signedHeaders(body);
      answers.add(pool.submit(() -> new JsonObject(post("/webhooks/sg", headers, body).body())));
    }
    int accepted = 0;
    int duplicates = 0;
    for (Future<JsonObject> answer : answers) {
      accepted += answer.get().getInteger("accepted");
      duplicates += answer.get().getInteger("duplicates");
    }
    pool.shutdown();

    assertThat(accepted).isEqualTo(ids.size());
    assertThat(accepted + duplicates).isEqualTo(40 * 10);
    assertThat(storedCount(ids)).isEqualTo(ids.size());
  }

  @Test
  void metricsCountRequestsEventsAndLatency() {
    byte[] body = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "click", "m@example.com")));
    assertThat(post("/webhooks/sg", sendgrid.signedHeaders(body), body).statusCode()).isEqualTo(200);
    assertThat(post("/webhooks/sg", stranger.signedHeaders(body), body).statusCode()).isEqualTo(401);

    String metrics = Http.get(gateway.managementPort(), "/metrics").body();

    assertThat(metrics)
        .containsPattern("gateway_webhook_requests_total\\{[^}]*outcome=\"accepted\"[^}]*source=\"sg\"")
        .containsPattern("gateway_webhook_requests_total\\{[^}]*outcome=\"unauthorized\"[^}]*source=\"sg\"")
        .containsPattern("gateway_events_total\\{[^}]*source=\"sg\",type=\"clicked\"")
        .contains("gateway_ack_latency_seconds_bucket")
        .contains("gateway_persist_batch_events")
        .contains("gateway_requests_in_flight")
        .contains("vertx_http_server_requests_total");
  }

  @Test
  void healthEndpointsReportUpWhenPostgresAndRedisAnswer() {
    assertThat(Http.get(gateway.managementPort(), "/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = Http.get(gateway.managementPort(), "/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("UP");
  }

  private HttpResponse<String> post(String path, Map<String, String> headers, byte[] body) {
    return Http.post(gateway.port(), path, headers, body);
  }

  private long storedCount(List<String> ids) {
    return db.count("SELECT count(*) FROM events WHERE source = 'sg' AND event_key IN (" + quoted(ids) + ")");
  }

  private static String quoted(List<String> ids) {
    return String.join(",", ids.stream().map(id -> "'" + id + "'").toList());
  }
}
