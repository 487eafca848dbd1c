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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rotation story: the ESP signs with a new key before the gateway knows it, the requests are
 * refused and quarantined; after the key is configured (a restart with the new config),
 * reverify ingests them once, as if they had just arrived.
 */
class ReverifyIT {
  private static final String TOKEN = "reverify-admin-token";
  private final SendGridFixtures oldKey = new SendGridFixtures();
  private final SendGridFixtures newKey = new SendGridFixtures();
  private final SendGridFixtures stranger = new SendGridFixtures();

  @Test
  void reverifyAfterAKeyChangeIngestsTheRequestOnce() throws Exception {
    try (TestDatabase db = new TestDatabase(getClass())) {
      String eventA = SendGridFixtures.eventId();
      byte[] rotated = SendGridFixtures.batch(List.of(SendGridFixtures.event(eventA, "delivered", "rot@example.com"),
          SendGridFixtures.event(SendGridFixtures.eventId(), "bounce", "rot2@example.com")));
      Map<String, String> rotatedHeaders = newKey.signedHeaders(rotated);
      byte[] forged = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "x@example.com")));

      try (TestGateway before = start(db, oldKey.publicKey())) {
        assertThat(Http.post(before.port(), "/webhooks/sg", rotatedHeaders, rotated).statusCode()).isEqualTo(401);
        // One at a time, so the ids (newest first in the listing) follow the order of the requests.
        AdminClient.await("first quarantined", () -> db.count("SELECT count(*) FROM quarantine") == 1);
        assertThat(Http.post(before.port(), "/webhooks/sg", stranger.signedHeaders(forged), forged).statusCode()).isEqualTo(401);
        AdminClient.await("quarantined", () -> db.count("SELECT count(*) FROM quarantine") == 2);
      }
      assertThat(db.count("SELECT count(*) FROM events")).isZero();

      try (TestGateway after = start(db, oldKey.publicKey(), newKey.publicKey())) {
        AdminClient api = new AdminClient(after.managementPort(), TOKEN);
        JsonArray items = api.json("/quarantine").getJsonArray("items");
        long forgedId = items.getJsonObject(0).getLong("id");
        long rotatedId = items.getJsonObject(1).getLong("id");

        JsonObject outcome = new JsonObject(api.post("/quarantine/" + rotatedId + "/reverify").body());
        assertThat(outcome.getBoolean("verified")).isTrue();
        assertThat(outcome.getBoolean("ingested")).isTrue();
        assertThat(outcome.getInteger("accepted")).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM events")).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM outbox")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM events WHERE event_key = '" + eventA + "' AND source = 'sg'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM quarantine WHERE id = " + rotatedId)).isZero();
        assertThat(api.post("/quarantine/" + rotatedId + "/reverify").statusCode()).isEqualTo(404);

        HttpResponse<String> retried = Http.post(after.port(), "/webhooks/sg", rotatedHeaders, rotated);
        assertThat(new JsonObject(retried.body())).isEqualTo(new JsonObject().put("accepted", 0).put("duplicates", 2));
        assertThat(db.count("SELECT count(*) FROM events")).isEqualTo(2);

        JsonObject stillForged = new JsonObject(api.post("/quarantine/" + forgedId + "/reverify").body());
        assertThat(stillForged.getBoolean("verified")).isFalse();
        assertThat(stillForged.getString("outcome")).isEqualTo("still_unauthorized");
        assertThat(db.count("SELECT count(*) FROM quarantine WHERE id = " + forgedId)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM events")).isEqualTo(2);
      }
    }
  }

  private static TestGateway start(TestDatabase db, String... keys) {
    JsonArray sources = new JsonArray().add(new JsonObject().put("id", "sg").put("provider", "sendgrid")
        .put("public_keys", new JsonArray(List.of((Object[]) keys))));
    return TestGateway.start(db.uri(), sources, new JsonObject().put("admin", new JsonObject().put("token", TOKEN))
        .put("handlers", new JsonObject().put("enabled", false)));
  }
}
