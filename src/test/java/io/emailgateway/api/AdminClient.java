package io.emailgateway.api;

import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestServices;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Blocking calls to the admin API of a test gateway (JDK client, HTTP/1.1), with or without the token. */
public final class AdminClient {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final int port;
  private final String token;

  public AdminClient(int port, String token) {
    this.port = port;
    this.token = token;
  }

  public HttpResponse<String> get(String path) {
    return send("GET", path, token, null);
  }

  public HttpResponse<String> post(String path) {
    return send("POST", path, token, null);
  }

  public HttpResponse<String> put(String path, JsonObject body) {
    return send("PUT", path, token, body.encode());
  }

  public HttpResponse<String> delete(String path) {
    return send("DELETE", path, token, null);
  }

  public JsonObject json(String path) {
    HttpResponse<String> response = get(path);
    if (response.statusCode() != 200) {
      throw new AssertionError(path + " answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** Any method; {@code bearer} null sends no Authorization header at all. */
  public HttpResponse<String> send(String method, String path, String bearer, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1" + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A GET whose body the test reads itself, as a stream. */
  public HttpResponse<InputStream> stream(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1" + path))
        .timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + token).GET().build();
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs one SQL statement on a test database (JDBC, from the test thread), e.g. to set up dead work. */
  public static void execute(TestDatabase db, String sql) {
    PgConnectOptions server = PgConnectOptions.fromUri(TestServices.postgresUri());
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.name(),
        server.getUser(), server.getPassword()); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** Waits up to 20 s for {@code condition}, polling. */
  public static void await(String what, BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
