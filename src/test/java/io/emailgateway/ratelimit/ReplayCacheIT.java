package io.emailgateway.ratelimit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.auth.Hmacs;
import io.emailgateway.testing.Http;
import io.emailgateway.testing.TcpProxy;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mailgun's token as a replay nonce: remembered in Redis only once its request is stored, so a
 * replay is answered as a duplicate even while PostgreSQL is unreachable, and an ESP retry of a
 * request that got 503 still goes in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayCacheIT {
  private static final String KEY = "key-replay-test";
  private TestDatabase db;
  private TcpProxy postgres;
  private TestGateway gateway;

  @BeforeAll
  void start() throws Exception {
    db = new TestDatabase(getClass());
    postgres = new TcpProxy(db.host(), db.port());
    JsonArray sources = new JsonArray().add(new JsonObject().put("id", "mg").put("provider", "mailgun")
        .put("signing_keys", new JsonArray().add(KEY)))
        // With a per-source limit the replay lookup rides in the limiter's script (one round trip).
        .add(new JsonObject().put("id", "mg-limited").put("provider", "mailgun")
            .put("signing_keys", new JsonArray().add(KEY))
            .put("rate_limit", new JsonObject().put("requests", 1000).put("window", "60s")));
    gateway = TestGateway.start(db.uri().replace(db.host() + ":" + db.port(), "127.0.0.1:" + postgres.port()), sources,
        new JsonObject().put("persist", new JsonObject().put("queue_timeout", "2s").put("write_timeout", "2s")));
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    postgres.close();
    db.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mg", "mg-limited"})
  void replayOfAStoredRequestIsADuplicateWithoutTheDatabase(String source) {
    byte[] body = signedDelivery(UUID.randomUUID().toString());
    assertThat(new JsonObject(post(source, body).body())).isEqualTo(new JsonObject().put("accepted", 1).put("duplicates", 0));

    postgres.cut();
    try {
      HttpResponse<String> replay = post(source, body);
      assertThat(replay.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(replay.body())).isEqualTo(new JsonObject().put("accepted", 0).put("duplicates", 1));
      assertThat(post(source, signedDelivery(UUID.randomUUID().toString())).statusCode()).isEqualTo(503);
    } finally {
      postgres.restore();
    }
  }

  @Test
  void retryOfARequestThatGot503IsStored() throws InterruptedException {
    String token = UUID.randomUUID().toString();
    byte[] body = signedDelivery(token);
    postgres.cut();
    try {
      assertThat(post(body).statusCode()).isEqualTo(503);
    } finally {
      postgres.restore();
    }
    HttpResponse<String> retry = post(body);
    for (int attempt = 0; attempt < 20 && retry.statusCode() == 503; attempt++) {
      Thread.sleep(300);
      retry = post(body);
    }
    assertThat(new JsonObject(retry.body())).isEqualTo(new JsonObject().put("accepted", 1).put("duplicates", 0));
    assertThat(db.count("SELECT count(*) FROM events WHERE source = 'mg' AND esp_event->'signature'->>'token' = '" + token + "'"))
        .isEqualTo(1);
  }

  private HttpResponse<String> post(byte[] body) {
    return post("mg", body);
  }

  private HttpResponse<String> post(String source, byte[] body) {
    return Http.post(gateway.port(), "/webhooks/" + source, Map.of("Content-Type", "application/json"), body);
  }

  /** A Mailgun "delivered" webhook with its signature block, as Mailgun posts it. */
  private static byte[] signedDelivery(String token) {
    String timestamp = Long.toString(System.currentTimeMillis() / 1000);
    String signature = HexFormat.of().formatHex(Hmacs.hmac("HmacSHA256", KEY.getBytes(UTF_8), (timestamp + token).getBytes(UTF_8)));
    JsonObject payload = new JsonObject()
        .put("signature", new JsonObject().put("timestamp", timestamp).put("token", token).put("signature", signature))
        .put("event-data", new JsonObject().put("id", UUID.randomUUID().toString()).put("event", "delivered")
            .put("timestamp", 1521472262.000002).put("recipient", "alice@example.com")
            .put("message", new JsonObject().put("headers", new JsonObject().put("message-id", "m1@example.com"))));
    return payload.encode().getBytes(UTF_8);
  }
}
