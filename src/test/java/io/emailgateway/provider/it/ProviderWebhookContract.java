package io.emailgateway.provider.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.provider.TestRequests;
import io.emailgateway.testing.Http;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What every provider must show through the real HTTP port into a real PostgreSQL (issue 3): a
 * request in the ESP's own format, authenticated the way that ESP does it, is stored with the
 * right normalized fields; the same request again only counts duplicates; every forged variant is
 * refused with 401 and stores nothing. One gateway and one database per provider class; the
 * source under test is {@code /webhooks/<provider>}.
 *
 * <p>The first test must see an empty table, hence the order; the others do not depend on it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ProviderWebhookContract {
  private static final String EVENT_ROWS = """
      SELECT row_to_json(e)::text FROM (
        SELECT source, provider, event_key, type, bounce_type, reject_reason,
               to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
               message_id, recipient, sender, subject, tags, metadata, click_url, user_agent, ip,
               mta_response, description, esp_event
          FROM events WHERE source = '%s') e""";

  protected TestDatabase db;
  protected TestGateway gateway;

  /** One event the genuine request must leave in {@code events}. */
  protected record Expected(String eventKey, JsonObject espEvent, JsonObject fields) {}

  /** A request the ESP did not send, and what gives it away. */
  protected record Forgery(String what, WebhookPost request) {}

  /** The provider name, which is also the source id under test. */
  protected abstract String provider();

  /** The source's settings as in gateway.yaml, credentials included ({@code id} and {@code provider} are added). */
  protected abstract JsonObject sourceSettings();

  /** A request exactly as the ESP sends it, authenticated with the configured credentials. */
  protected abstract WebhookPost genuineRequest();

  /** Every event {@link #genuineRequest()} must store, with the normalized fields to check. */
  protected abstract List<Expected> expectedEvents();

  /** Another genuine request, with events no other test stores. */
  protected abstract WebhookPost otherRequest();

  /** Events of {@link #otherRequest()} to check once it is accepted; none by default. */
  protected List<Expected> expectedEventsOfOther() {
    return List.of();
  }

  /** Forged variants of {@code other}: wrong key, body changed after signing, missing credentials, … */
  protected abstract List<Forgery> forgeriesOf(WebhookPost other);

  /** Work before the gateway starts (a local server, a certificate); nothing by default. */
  protected void beforeGateway() throws Exception {}

  protected void afterGateway() throws Exception {}

  @BeforeAll
  void startGateway() throws Exception {
    beforeGateway();
    db = new TestDatabase(getClass());
    JsonObject source = sourceSettings().copy().put("id", provider()).put("provider", provider());
    gateway = TestGateway.start(db.uri(), new JsonArray().add(source), new JsonObject());
  }

  @AfterAll
  void stopGateway() throws Exception {
    try {
      gateway.close();
      db.close();
    } finally {
      afterGateway();
    }
  }

  @Test
  @Order(1)
  void genuineRequestIsStoredWithItsNormalizedFields() {
    List<Expected> expected = expectedEvents();

    HttpResponse<String> response = post(genuineRequest());

    assertAnswer(response, expected.size(), 0);
    assertThat(storedRowsByKey().keySet()).containsExactlyInAnyOrderElementsOf(expected.stream().map(Expected::eventKey).toList());
    assertStored(expected);
  }

  @Test
  @Order(2)
  void sameRequestAgainIsAnsweredAsDuplicatesAndStoresNothingNew() {
    WebhookPost request = genuineRequest();
    int events = expectedEvents().size();
    assertThat(post(request).statusCode()).isEqualTo(200);
    long stored = storedCount();

    HttpResponse<String> again = post(request);

    assertAnswer(again, 0, events);
    assertThat(storedCount()).isEqualTo(stored);
  }

  @TestFactory
  @Order(3)
  Stream<DynamicTest> forgedRequestsAreRefusedAndStoreNothing() {
    WebhookPost other = otherRequest();
    Stream<DynamicTest> forgeries = forgeriesOf(other).stream().map(forgery ->
        DynamicTest.dynamicTest(forgery.what(), () -> assertRefusedStoringNothing(forgery.request())));
    // The control: the same events, genuinely authenticated, are new, so the refusals above were
    // about the credentials alone and stored none of them.
    return Stream.concat(forgeries, Stream.of(DynamicTest.dynamicTest("the genuine request of the same events is accepted",
        () -> {
          HttpResponse<String> response = post(other);
          assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
          JsonObject answer = new JsonObject(response.body());
          assertThat(answer.getInteger("accepted")).isPositive();
          assertThat(answer.getInteger("duplicates")).isZero();
          assertStored(expectedEventsOfOther());
        })));
  }

  /** Each expected event is stored under its key with these fields and its original ESP object. */
  protected void assertStored(List<Expected> expected) {
    Map<String, JsonObject> rows = storedRowsByKey();
    for (Expected event : expected) {
      JsonObject row = rows.get(event.eventKey());
      assertThat(row).as("stored event " + event.eventKey()).isNotNull();
      assertThat(row.getString("source")).isEqualTo(provider());
      assertThat(row.getString("provider")).isEqualTo(provider());
      event.fields().forEach(field -> assertThat(row.getValue(field.getKey()))
          .as(event.eventKey() + " " + field.getKey()).isEqualTo(event.fields().getValue(field.getKey())));
      assertThat(row.getJsonObject("esp_event")).as(event.eventKey() + " esp_event").isEqualTo(event.espEvent());
    }
  }

  protected void assertRefusedStoringNothing(WebhookPost forged) {
    long stored = storedCount();

    HttpResponse<String> response = post(forged);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    assertThat(response.body()).isEqualTo("{\"error\":\"unauthorized\"}");
    assertThat(storedCount()).isEqualTo(stored);
  }

  protected HttpResponse<String> post(WebhookPost request) {
    return Http.post(gateway.port(), "/webhooks/" + provider(), request.headers(), request.body());
  }

  protected static void assertAnswer(HttpResponse<String> response, int accepted, int duplicates) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(new JsonObject(response.body()))
        .isEqualTo(new JsonObject().put("accepted", accepted).put("duplicates", duplicates));
  }

  protected long storedCount() {
    return db.count("SELECT count(*) FROM events");
  }

  /** The stored events of the source under test, by event key, with {@code occurred_at} as ISO-8601 UTC text. */
  protected Map<String, JsonObject> storedRowsByKey() {
    Map<String, JsonObject> rows = new HashMap<>();
    db.query(EVENT_ROWS.formatted(provider()), result -> {
      while (result.next()) {
        JsonObject row = new JsonObject(result.getString(1));
        rows.put(row.getString("event_key"), row);
      }
    });
    return rows;
  }

  protected static Forgery forgery(String what, WebhookPost request) {
    return new Forgery(what, request);
  }

  protected static Expected expected(String eventKey, JsonObject espEvent, String fields) {
    return new Expected(eventKey, espEvent, new JsonObject(fields));
  }

  /** The exact body of a conformance fixture, {@code providers/<path>}: the ESP's own format. */
  protected static String fixtureBody(String path) {
    return new JsonObject(new String(TestRequests.resource("providers/" + path), StandardCharsets.UTF_8)).getString("body");
  }

  protected static byte[] resource(String path) {
    return TestRequests.resource(path);
  }

  protected static long now() {
    return System.currentTimeMillis() / 1000;
  }
}
