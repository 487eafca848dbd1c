package io.emailgateway.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.api.AdminClient;
import io.emailgateway.testing.Http;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Requests refused with 401 are quarantined within bounds, through the real ingest port into a real PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuarantineIT {
  private static final String TOKEN = "quarantine-admin-token";
  private static final int CAP = 20;
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private final SendGridFixtures forger = new SendGridFixtures();
  private TestDatabase db;
  private TestGateway gateway;
  private AdminClient api;

  @BeforeAll
  void start() {
    db = new TestDatabase(getClass());
    JsonArray sources = new JsonArray();
    for (String id : List.of("sg", "flood", "calm", "old")) {
      sources.add(new JsonObject().put("id", id).put("provider", "sendgrid").put("public_keys", new JsonArray().add(sendgrid.publicKey())));
    }
    gateway = TestGateway.start(db.uri(), sources, new JsonObject().put("admin", new JsonObject().put("token", TOKEN))
        .put("quarantine", new JsonObject().put("max_per_source", CAP).put("writes_per_second", 40).put("max_writes_in_flight", 4))
        .put("handlers", new JsonObject().put("enabled", false)));
    api = new AdminClient(gateway.managementPort(), TOKEN);
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    db.close();
  }

  @Test
  void refusedRequestIsKeptWithItsReasonAndCredentialHeadersRedacted() {
    byte[] body = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "q@example.com")));
    Map<String, String> headers = new HashMap<>(forger.signedHeaders(body));
    headers.put("Authorization", "Basic c2VjcmV0LXVzZXI6aHVudGVyMg==");
    headers.put("Cookie", "session=hunter2-cookie");
    headers.put("X-Trace", "visible");

    HttpResponse<String> response = Http.post(gateway.port(), "/webhooks/sg", headers, body);

    assertThat(response.statusCode()).isEqualTo(401);
    AdminClient.await("quarantined", () -> db.count("SELECT count(*) FROM quarantine WHERE source = 'sg'") == 1);
    assertThat(db.count("SELECT count(*) FROM events")).isZero();
    assertThat(db.count("SELECT count(*) FROM quarantine WHERE headers::text LIKE '%hunter2%' OR headers::text LIKE '%c2VjcmV0%'"))
        .isZero();
    JsonObject item = api.json("/quarantine?source=sg").getJsonArray("items").getJsonObject(0);
    assertThat(item.getString("reason")).isEqualTo("signature does not verify with any configured key");
    assertThat(item.getInteger("body_bytes")).isEqualTo(body.length);
    Map<String, String> stored = new HashMap<>();
    item.getJsonArray("headers").forEach(pair -> stored.put(((JsonArray) pair).getString(0).toLowerCase(),
        ((JsonArray) pair).getString(1)));
    assertThat(stored).containsEntry("authorization", "[redacted]").containsEntry("cookie", "[redacted]")
        .containsEntry("x-trace", "visible").containsKey("x-twilio-email-event-webhook-signature");
  }

  /**
   * A flood of forged requests, in waves of 100 at once a second apart until well over the cap
   * was written: the source never holds more than its cap, the oldest rows go first, the write
   * path drops what exceeds its rate or in-flight bound (counted), and other sources keep theirs.
   */
  @Test
  void floodOfForgedRequestsCannotFillTheDatabase() throws Exception {
    forge("calm", "calm-1");
    forge("flood", "first-of-flood");
    AdminClient.await("first rows", () -> db.count("SELECT count(*) FROM quarantine WHERE source IN ('calm', 'flood')") == 2);

    int sent = 1;
    ExecutorService senders = Executors.newFixedThreadPool(16);
    for (int wave = 0; wave < 10 && counter("flood", "stored") < CAP + 10; wave++) {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String marker = "flood-" + wave + "-" + i;
        statuses.add(senders.submit(() -> forge("flood", marker)));
      }
      for (Future<Integer> status : statuses) {
        assertThat(status.get()).isEqualTo(401);
      }
      sent += statuses.size();
      Thread.sleep(1100);
    }
    senders.shutdown();

    int offered = sent;
    AdminClient.await("every offer accounted for", () -> outcomes("flood") == offered);
    assertThat(counter("flood", "stored")).isGreaterThanOrEqualTo(CAP + 10);
    assertThat(db.count("SELECT count(*) FROM quarantine WHERE source = 'flood'")).isEqualTo(CAP);
    assertThat(db.count("SELECT count(*) FROM quarantine WHERE source = 'flood' AND headers::text LIKE '%first-of-flood%'"))
        .as("the oldest row went first").isZero();
    assertThat(db.count("SELECT count(*) FROM quarantine WHERE source = 'calm'")).isEqualTo(1);
    assertThat(counter("flood", "dropped_rate") + counter("flood", "dropped_in_flight")).isPositive();
    assertThat(counter("flood", "failed")).isZero();
  }

  @Test
  void rowsPastTheRetentionAreRemoved() {
    AdminClient.execute(db, "INSERT INTO quarantine (source, provider, reason, received_at, headers, body)"
        + " VALUES ('old', 'sendgrid', 'test', now() - interval '30 days', '[]', '\\x00')");
    forge("old", "fresh");
    AdminClient.await("expired row removed", () -> db.count("SELECT count(*) FROM quarantine WHERE source = 'old'") == 1
        && db.count("SELECT count(*) FROM quarantine WHERE source = 'old' AND reason = 'test'") == 0);
  }

  private int forge(String source, String marker) {
    byte[] body = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "f@example.com")));
    Map<String, String> headers = new HashMap<>(Map.of("Content-Type", "application/json", "X-Marker", marker,
        "X-Twilio-Email-Event-Webhook-Timestamp", "1700000000", "X-Twilio-Email-Event-Webhook-Signature", "AAAA"));
    return Http.post(gateway.port(), "/webhooks/" + source, headers, body).statusCode();
  }

  private double outcomes(String source) {
    return counter(source, "stored") + counter(source, "failed") + counter(source, "dropped_rate")
        + counter(source, "dropped_in_flight") + counter(source, "dropped_too_large");
  }

  private double counter(String source, String outcome) {
    String metrics = Http.get(gateway.managementPort(), "/metrics").body();
    Matcher matcher = Pattern.compile("gateway_quarantine_writes_total\\{([^}]*)\\} (\\S+)").matcher(metrics);
    double total = 0;
    while (matcher.find()) {
      if (matcher.group(1).contains("source=\"" + source + "\"") && matcher.group(1).contains("outcome=\"" + outcome + "\"")) {
        total += Double.parseDouble(matcher.group(2));
      }
    }
    return total;
  }
}
