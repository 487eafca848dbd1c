package io.emailgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.Http;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

/** The admin API through the real management port against a real PostgreSQL: auth, the OpenAPI contract, events, messages, stats. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiIT {
  static final String TOKEN = "test-admin-token-0123456789";
  /** Every route of the API as the OpenAPI document writes it; each is also called without a token. */
  static final Set<String> ROUTES = Set.of(
      "GET /openapi.yaml", "GET /events", "GET /events/{id}", "GET /messages/{message_id}",
      "GET /suppressions", "GET /suppressions.csv", "GET /suppressions/{address}", "PUT /suppressions/{address}",
      "DELETE /suppressions/{address}", "GET /stats", "GET /dead", "POST /dead/retry", "POST /dead/{id}/retry",
      "GET /quarantine", "POST /quarantine/{id}/reverify");

  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private TestDatabase db;
  private TestGateway gateway;
  private AdminClient api;

  @BeforeAll
  void start() {
    db = new TestDatabase(getClass());
    JsonArray sources = new JsonArray().add(new JsonObject().put("id", "sg").put("provider", "sendgrid")
        .put("public_keys", new JsonArray().add(sendgrid.publicKey())));
    gateway = TestGateway.start(db.uri(), sources, new JsonObject().put("admin", new JsonObject().put("token", TOKEN))
        .put("handlers", new JsonObject().put("poll_interval", "100ms")));
    api = new AdminClient(gateway.managementPort(), TOKEN);
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    db.close();
  }

  @Test
  void everyRouteRefusesARequestWithoutAValidToken() {
    for (String route : ROUTES) {
      String method = route.substring(0, route.indexOf(' '));
      String path = route.substring(route.indexOf(' ') + 1).replace("{id}", "1").replace("{message_id}", "m1")
          .replace("{address}", "a@example.com");
      for (String bearer : new String[] {null, "wrong-token", TOKEN + "x", ""}) {
        HttpResponse<String> response = api.send(method, path, bearer, method.equals("PUT") ? "{\"reason\":\"invalid\"}" : null);
        assertThat(response.statusCode()).as(route + " with " + bearer).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(new JsonObject(response.body()).getInteger("status")).isEqualTo(401);
      }
    }
    assertThat(db.count("SELECT count(*) FROM suppressions WHERE address = 'a@example.com'")).isZero();
  }

  @Test
  void openApiDocumentListsEveryRouteAndNothingElse() {
    HttpResponse<String> response = api.get("/openapi.yaml");
    assertThat(response.statusCode()).isEqualTo(200);
    Map<String, Object> document = new Yaml().load(response.body());
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) document.get("paths");
    Set<String> documented = new TreeSet<>();
    paths.forEach((path, operations) -> operations.keySet().stream().filter(key -> !key.equals("parameters"))
        .forEach(method -> documented.add(method.toUpperCase() + " " + path)));
    assertThat(documented).containsExactlyInAnyOrderElementsOf(ROUTES);
  }

  @Test
  void eventsArePagedNewestFirstWithoutGapsOrRepeatsWhileNewEventsArrive() {
    String recipient = "pager-" + SendGridFixtures.eventId() + "@example.com";
    for (int batch = 0; batch < 3; batch++) {
      post(IntStream.range(0, 10).mapToObj(i -> SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", recipient)).toList());
    }
    post(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "open", recipient)));
    Set<Long> expected = ids("SELECT id FROM events WHERE recipient = '" + recipient + "' AND type = 'delivered'");

    List<Long> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = api.json("/events?recipient=" + recipient.toUpperCase() + "&type=delivered&limit=7"
          + (cursor == null ? "" : "&cursor=" + cursor));
      page.getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getLong("id")));
      cursor = page.getString("next_cursor");
      if (pages++ == 1) {
        post(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", recipient)));
      }
    } while (cursor != null);

    assertThat(pages).isEqualTo(5);
    assertThat(seen).doesNotHaveDuplicates().hasSize(30);
    assertThat(new HashSet<>(seen)).isEqualTo(expected);
    assertThat(seen).isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void eventsFilterBySourceProviderMessageAndTime() {
    String recipient = "filter-" + SendGridFixtures.eventId() + "@example.com";
    post(List.of(event("delivered", recipient, "msgfilter", 1700000000), event("bounce", recipient, "msgfilter", 1700000100)));
    String base = "/events?recipient=" + recipient + "&source=sg&provider=sendgrid&message_id=msgfilter";
    assertThat(api.json(base).getJsonArray("items")).hasSize(2);
    assertThat(api.json(base + "&since=2023-11-14T22:14:00Z").getJsonArray("items")).hasSize(1);
    assertThat(api.json(base + "&until=2023-11-14T22:14:00%2B00:00").getJsonArray("items")).hasSize(1);
    assertThat(api.json(base + "&type=bounced").getJsonArray("items").getJsonObject(0).getString("type")).isEqualTo("bounced");
    assertThat(api.json("/events?source=nope").getJsonArray("items")).isEmpty();
  }

  @Test
  void badFiltersAreRefusedWith400NamingTheParameter() {
    assertProblem(api.get("/events?since=yesterday"), 400, "since");
    assertProblem(api.get("/events?limit=0"), 400, "limit");
    assertProblem(api.get("/events?limit=100000"), 400, "limit");
    assertProblem(api.get("/events?type=teleported"), 400, "type");
    assertProblem(api.get("/events?recipeint=a@example.com"), 400, "recipeint");
    assertProblem(api.get("/events?cursor=garbage!"), 400, "cursor");
    assertProblem(api.get("/events/abc"), 400, "id");
    assertProblem(api.get("/suppressions?reason=bored"), 400, "reason");
    assertProblem(api.get("/dead?kind=zombie"), 400, "kind");
    assertProblem(api.get("/stats?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z"), 400, "since");
    assertProblem(api.post("/dead/zombie-1/retry"), 400, "id");
    assertProblem(api.post("/quarantine/x/reverify"), 400, "id");
  }

  @Test
  void unknownIdsAreA404() {
    assertProblem(api.get("/events/999999999"), 404, null);
    assertProblem(api.get("/messages/no-such-message"), 404, null);
    assertProblem(api.get("/suppressions/nobody@example.com"), 404, null);
    assertProblem(api.delete("/suppressions/nobody@example.com"), 404, null);
    assertProblem(api.post("/dead/handler-999999999/retry"), 404, null);
    assertProblem(api.post("/dead/delivery-999999999/retry"), 404, null);
    assertProblem(api.post("/quarantine/999999999/reverify"), 404, null);
    assertProblem(api.get("/no-such-route"), 404, null);
  }

  @Test
  void oneEventComesWithItsEspEvent() {
    String id = SendGridFixtures.eventId();
    post(List.of(SendGridFixtures.event(id, "bounce", "one@example.com")));
    long eventId = ids("SELECT id FROM events WHERE event_key = '" + id + "'").iterator().next();

    JsonObject event = api.json("/events/" + eventId);

    assertThat(event.getLong("id")).isEqualTo(eventId);
    assertThat(event.getString("type")).isEqualTo("bounced");
    assertThat(event.getString("recipient")).isEqualTo("one@example.com");
    assertThat(event.getJsonObject("esp_event").getString("sg_event_id")).isEqualTo(id);
    assertThat(api.json("/events?recipient=one@example.com").getJsonArray("items").getJsonObject(0).containsKey("esp_event"))
        .isFalse();
  }

  @Test
  void messageShowsEachRecipientsStatusAndTimeline() {
    String message = "msg" + SendGridFixtures.eventId();
    post(List.of(event("processed", "ann@example.com", message, 1700000000), event("delivered", "ann@example.com", message, 1700000010),
        event("open", "ann@example.com", message, 1700000020), event("bounce", "ben@example.com", message, 1700000030)));
    AdminClient.await("message status", () -> db.count("SELECT count(*) FROM messages WHERE message_id = '" + message + "'") == 2);

    JsonObject body = api.json("/messages/" + message);

    JsonArray recipients = body.getJsonArray("recipients");
    assertThat(recipients).hasSize(2);
    JsonObject ann = recipients.getJsonObject(0);
    assertThat(ann.getString("recipient")).isEqualTo("ann@example.com");
    assertThat(ann.getString("status")).isEqualTo("opened");
    assertThat(ann.getJsonArray("timeline").stream().map(step -> ((JsonObject) step).getString("type")).toList())
        .containsExactly("queued", "delivered", "opened");
    assertThat(recipients.getJsonObject(1).getString("status")).isEqualTo("bounced");
  }

  @Test
  void statsCountBySourceAndTypeAndRatePerSendingDomain() {
    post(List.of(event("delivered", "s1@example.com", "msgstats", 1500000000), event("delivered", "s2@example.com", "msgstats", 1500000001),
        event("bounce", "s3@example.com", "msgstats", 1500000002)));
    AdminClient.execute(db, "INSERT INTO deliverability (domain, source, bucket_start, delivered, bounced, complained)"
        + " VALUES ('news.example', 'sg', '2017-07-14T02:00:00Z', 90, 10, 9), ('news.example', 'other', '2017-07-14T03:00:00Z', 0, 0, 0),"
        + " ('shop.example', 'sg', '2017-07-13T00:00:00Z', 5, 5, 0)");

    JsonObject stats = api.json("/stats?since=2017-07-14T02:00:00Z&until=2017-07-14T03:00:00Z");

    assertThat(stats.getJsonArray("counts")).containsExactly(
        new JsonObject().put("source", "sg").put("type", "bounced").put("count", 1L),
        new JsonObject().put("source", "sg").put("type", "delivered").put("count", 2L));
    // The handlers add the posted events' own (sender-less) domain for that hour; shop.example is outside the range.
    JsonObject news = stats.getJsonArray("domains").stream().map(JsonObject.class::cast)
        .filter(domain -> domain.getString("domain").equals("news.example")).findFirst().orElseThrow();
    assertThat(stats.getJsonArray("domains").stream().map(d -> ((JsonObject) d).getString("domain")))
        .doesNotContain("shop.example");
    assertThat(news.getDouble("bounce_rate")).isEqualTo(0.1);
    assertThat(news.getDouble("complaint_rate")).isEqualTo(0.1);
  }

  private void post(List<String> events) {
    byte[] body = SendGridFixtures.batch(events);
    HttpResponse<String> response = Http.post(gateway.port(), "/webhooks/sg", sendgrid.signedHeaders(body), body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static String event(String type, String email, String messageId, long timestamp) {
    return new JsonObject().put("email", email).put("event", type).put("sg_event_id", SendGridFixtures.eventId())
        .put("sg_message_id", messageId + ".filterdrecv-1").put("timestamp", timestamp).encode();
  }

  private Set<Long> ids(String sql) {
    Set<Long> ids = new LinkedHashSet<>();
    db.query(sql, rows -> {
      while (rows.next()) {
        ids.add(rows.getLong(1));
      }
    });
    return ids;
  }

  static void assertProblem(HttpResponse<String> response, int status, String parameter) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject problem = new JsonObject(response.body());
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("parameter")).isEqualTo(parameter);
  }
}
