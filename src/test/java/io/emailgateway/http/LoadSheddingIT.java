package io.emailgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.Http;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A database that stops keeping up (a lock held on {@code events} from another connection): the
 * gateway sheds new requests with an early 503 + Retry-After instead of queueing them, and
 * every request it did acknowledge with 200 is in the table once the lock is gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadSheddingIT {
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private TestDatabase db;
  private TestGateway gateway;

  @BeforeAll
  void start() {
    db = new TestDatabase(getClass());
    JsonArray sources = new JsonArray().add(new JsonObject().put("id", "sg").put("provider", "sendgrid")
        .put("public_keys", new JsonArray().add(sendgrid.publicKey())));
    gateway = TestGateway.start(db.uri(), sources, new JsonObject()
        .put("persist", new JsonObject().put("shed_after", "300ms").put("queue_timeout", "3s").put("write_timeout", "3s")));
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    db.close();
  }

  @Test
  void slowDatabaseShedsNewRequestsEarlyAndLosesNoAcknowledgedEvent() throws Exception {
    // One thread per request: the sender keeps posting while the database is slow, as an ESP does.
    ExecutorService clients = Executors.newFixedThreadPool(40);
    List<String> ids = new ArrayList<>();
    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
    List<List<String>> idsPerRequest = new ArrayList<>();
    // A first request before the lock warms the client (signing, connections), so that the requests
    // under the lock arrive at the 25 ms pace below rather than bunched up behind a cold start.
    byte[] warmUp = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "t@example.com")));
    assertThat(Http.post(gateway.port(), "/webhooks/sg", sendgrid.signedHeaders(warmUp), warmUp).statusCode()).isEqualTo(200);
    try (Connection locker = DriverManager.getConnection("jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.name(),
        "postgres", null)) {
      locker.setAutoCommit(false);
      locker.createStatement().execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
      for (int r = 0; r < 40; r++) {
        List<String> requestIds = List.of(SendGridFixtures.eventId(), SendGridFixtures.eventId());
        ids.addAll(requestIds);
        idsPerRequest.add(requestIds);
        byte[] body = SendGridFixtures.batch(requestIds.stream().map(id -> SendGridFixtures.event(id, "delivered", "t@example.com")).toList());
        answers.add(clients.submit(() -> Http.post(gateway.port(), "/webhooks/sg", sendgrid.signedHeaders(body), body)));
        Thread.sleep(25);
      }
      Thread.sleep(1500);
      locker.rollback();
    }
    List<String> acknowledged = new ArrayList<>();
    int shed = 0;
    for (int r = 0; r < answers.size(); r++) {
      HttpResponse<String> response = answers.get(r).get();
      assertThat(response.statusCode()).isIn(200, 503);
      if (response.statusCode() == 200) {
        acknowledged.addAll(idsPerRequest.get(r));
      } else {
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        shed++;
      }
    }
    clients.shutdown();

    assertThat(shed).isGreaterThan(0);
    assertThat(Http.get(gateway.managementPort(), "/metrics").body())
        .containsPattern("gateway_shed_total\\{[^}]*reason=\"persist_behind\"[^}]*\\} [1-9]");
    if (!acknowledged.isEmpty()) {
      assertThat(db.count("SELECT count(*) FROM events WHERE event_key IN ("
          + String.join(",", acknowledged.stream().map(id -> "'" + id + "'").toList()) + ")")).isEqualTo(acknowledged.size());
    }
  }
}
