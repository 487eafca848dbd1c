package io.emailgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Senders that hold the body back behind {@code Expect: 100-continue} (curl for large bodies,
 * .NET and Java clients when asked to) get the interim 100 once the request passed the checks
 * made on its head, and a final status instead when it did not. Raw sockets, to see the 100.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExpectContinueIT {
  private static final String BODY = "{\"RecordType\":\"Delivery\",\"MessageID\":\"883953f4-6105-42a2-a16a-77a8eac79483\","
      + "\"Recipient\":\"recipient@example.com\",\"DeliveredAt\":\"2014-08-01T13:28:10.2735393-04:00\"}";
  private static final String AUTHORIZATION = "Basic " + Base64.getEncoder().encodeToString("postmark:s3cret".getBytes(StandardCharsets.UTF_8));
  private TestDatabase db;
  private TestGateway gateway;

  @BeforeAll
  void start() {
    db = new TestDatabase(getClass());
    JsonObject source = new JsonObject().put("id", "pm").put("provider", "postmark")
        .put("basic_auth", new JsonArray().add(new JsonObject().put("username", "postmark").put("password", "s3cret")));
    gateway = TestGateway.start(db.uri(), new JsonArray().add(source), new JsonObject());
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    db.close();
  }

  @Test
  void senderWaitingFor100ContinueGetsItThenItsEventIsStored() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(head("/webhooks/pm").getBytes(StandardCharsets.US_ASCII));
      out.flush();

      assertThat(read(socket.getInputStream())).startsWith("HTTP/1.1 100 Continue");
      out.write(BODY.getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertThat(read(socket.getInputStream())).startsWith("HTTP/1.1 200 OK").endsWith("{\"accepted\":1,\"duplicates\":0}");
    }
    assertThat(db.count("SELECT count(*) FROM events WHERE source = 'pm'")).isEqualTo(1);
  }

  @Test
  void requestRefusedOnItsHeadGetsTheFinalStatusInsteadOf100() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(head("/webhooks/unknown").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();

      assertThat(read(socket.getInputStream())).startsWith("HTTP/1.1 404");
    }
  }

  private static String head(String path) {
    return "POST " + path + " HTTP/1.1\r\nHost: hooks.example.com\r\nContent-Type: application/json\r\n"
        + "Authorization: " + AUTHORIZATION + "\r\nExpect: 100-continue\r\n"
        + "Content-Length: " + BODY.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n";
  }

  /** What the server sent so far (an interim response, or a whole small final one). */
  private static String read(InputStream in) throws IOException {
    byte[] buffer = new byte[4096];
    int n = in.read(buffer);
    return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.US_ASCII);
  }
}
