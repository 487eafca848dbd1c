package io.emailgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.Http;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TcpProxy;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * PostgreSQL becomes unreachable (the gateway reaches it through a proxy the test cuts): the
 * gateway answers 503 with Retry-After and stores nothing of the request; once PostgreSQL is
 * back, the ESP's retry of the same request is stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreOutageIT {
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private TestDatabase db;
  private TcpProxy proxy;
  private TestGateway gateway;

  @BeforeAll
  void start() throws Exception {
    db = new TestDatabase(getClass());
    proxy = new TcpProxy(db.host(), db.port());
    String throughProxy = db.uri().replace(db.host() + ":" + db.port(), "127.0.0.1:" + proxy.port());
    JsonArray sources = new JsonArray().add(new JsonObject().put("id", "sg").put("provider", "sendgrid")
        .put("public_keys", new JsonArray().add(sendgrid.publicKey())));
    gateway = TestGateway.start(throughProxy, sources, new JsonObject()
        .put("persist", new JsonObject().put("queue_timeout", "2s").put("write_timeout", "2s")));
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    proxy.close();
    db.close();
  }

  @Test
  void unreachableDatabaseAnswers503StoresNothingAndTheRetryIsStoredLater() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(SendGridFixtures.eventId());
    }
    byte[] body = SendGridFixtures.batch(ids.stream().map(id -> SendGridFixtures.event(id, "bounce", "x@example.com")).toList());

    proxy.cut();
    HttpResponse<String> refused = Http.post(gateway.port(), "/webhooks/sg", sendgrid.signedHeaders(body), body);
    proxy.restore();

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(count(ids)).isZero();
    assertThat(db.count("SELECT count(*) FROM outbox")).isZero();

    HttpResponse<String> retried = retryUntilStored(body);
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(retried.body()).getInteger("accepted")).isEqualTo(50);
    assertThat(count(ids)).isEqualTo(50);
  }

  /** The ESP's retries: the pool needs a moment to open fresh connections after the outage. */
  private HttpResponse<String> retryUntilStored(byte[] body) throws InterruptedException {
    HttpResponse<String> response = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      response = Http.post(gateway.port(), "/webhooks/sg", sendgrid.signedHeaders(body), body);
      if (response.statusCode() != 503) {
        return response;
      }
      Thread.sleep(500);
    }
    return response;
  }

  private long count(List<String> ids) {
    return db.count("SELECT count(*) FROM events WHERE event_key IN ("
        + String.join(",", ids.stream().map(id -> "'" + id + "'").toList()) + ")");
  }
}
