package io.emailgateway.provider;

import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the SNS host on 127.0.0.1: serves signing certificates and issuer
 * certificates, answers subscription confirmations, and counts every request per path, so a
 * test can prove that something was, or was not, fetched.
 */
public final class SnsTestServer {
  public static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events";

  private final Map<String, Buffer> bodies = new ConcurrentHashMap<>();
  private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
  private final Map<String, Long> delaysMs = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private HttpServer server;

  public SnsTestServer(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<SnsTestServer> start() {
    return vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").map(started -> {
      server = started;
      return this;
    });
  }

  public int port() {
    return server.actualPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  public SnsTestServer serve(String path, String body) {
    return serve(path, Buffer.buffer(body, "UTF-8"));
  }

  public SnsTestServer serve(String path, Buffer body) {
    bodies.put(path, body);
    return this;
  }

  public SnsTestServer status(String path, int status) {
    statuses.put(path, status);
    return this;
  }

  public SnsTestServer delay(String path, long millis) {
    delaysMs.put(path, millis);
    return this;
  }

  public int hits(String path) {
    AtomicInteger count = hits.get(path);
    return count == null ? 0 : count.get();
  }

  public int totalHits() {
    return hits.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    long delay = delaysMs.getOrDefault(path, 0L);
    if (delay > 0) {
      vertx.setTimer(delay, t -> respond(request, path));
    } else {
      respond(request, path);
    }
  }

  private void respond(HttpServerRequest request, String path) {
    Buffer body = bodies.get(path);
    int status = statuses.getOrDefault(path, body == null ? 404 : 200);
    request.response().setStatusCode(status).end(body == null ? Buffer.buffer() : body);
  }

  /** Source settings pointing the URL patterns at this server and the trust anchors at {@code anchorsFile}. */
  public JsonObject settings(String anchorsFile) {
    return new JsonObject().put("id", "ses-test").put("provider", "ses")
        .put("topic_arns", new JsonArray().add(TOPIC))
        .put("cert_url_pattern", "http://127\\.0\\.0\\.1:" + port() + "/certs/[a-z0-9-]+\\.pem")
        .put("subscribe_url_pattern", "http://127\\.0\\.0\\.1:" + port() + "/confirm\\?.*")
        .put("cert_trust_anchors", anchorsFile);
  }

  static SourceConfig source(JsonObject settings) {
    return SourceConfig.from(new ConfigSection(settings, "sources[0]"));
  }

  static SesProvider provider(Vertx vertx, JsonObject settings, Clock clock) {
    return new SesProvider(source(settings), vertx, clock);
  }

  static WebhookRequest request(JsonObject envelope, Map<String, String> extraHeaders) {
    Map<String, String> headers = new java.util.HashMap<>(extraHeaders);
    headers.put("x-amz-sns-message-type", envelope.getString("Type"));
    headers.put("x-amz-sns-message-id", envelope.getString("MessageId"));
    return TestRequests.request("text/plain; charset=UTF-8", headers, envelope.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Runs {@code authenticate} on a Vert.x event-loop context, as the HTTP layer does. */
  static Future<Void> authenticateOnContext(Vertx vertx, WebhookProvider provider, WebhookRequest request) {
    Promise<Void> result = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> provider.authenticate(request).onComplete(result));
    return result.future();
  }
}
