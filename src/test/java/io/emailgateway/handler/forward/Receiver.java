package io.emailgateway.handler.forward;

import io.emailgateway.testing.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local webhook receiver with scripted answers per path: {@code /ok} 200; {@code /flaky} 500
 * for the first two attempts of each webhook-id, then 204; {@code /down} 500 until healed;
 * {@code /slow} 200 after 150 ms. It records every request and the most requests it held at once.
 */
public final class Receiver implements AutoCloseable {
  public static final int PORT = TestGateway.freePort();

  public record Request(String path, MultiMap headers, String body, int status, long receivedAt) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> attemptsPerId = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> concurrent = new ConcurrentHashMap<>();
  private final Map<String, Integer> maxConcurrent = new ConcurrentHashMap<>();
  private final Set<String> healed = ConcurrentHashMap.newKeySet();
  private HttpServer server;

  public void start() throws Exception {
    server = vertx.createHttpServer().requestHandler(this::handle);
    server.listen(PORT, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  void heal(String path) {
    healed.add(path);
  }

  private void handle(HttpServerRequest request) {
    long receivedAt = System.currentTimeMillis();
    String path = request.path();
    int now = concurrent.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    maxConcurrent.merge(path, now, Math::max);
    request.body().onSuccess(body -> {
      int status = statusFor(path, request.getHeader("webhook-id"));
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
      long delay = path.equals("/slow") ? 150 : 1;
      vertx.setTimer(delay, id -> {
        requests.add(new Request(path, headers, body.toString(), status, receivedAt));
        concurrent.get(path).decrementAndGet();
        request.response().setStatusCode(status).end();
      });
    });
  }

  private int statusFor(String path, String webhookId) {
    return switch (path) {
      case "/flaky" -> attemptsPerId.computeIfAbsent(webhookId, id -> new AtomicInteger()).incrementAndGet() <= 2 ? 500 : 204;
      case "/down" -> healed.contains(path) ? 200 : 500;
      default -> 200;
    };
  }

  /** Requests to {@code path}, for one webhook-id or all ({@code null}), in arrival order. */
  public List<Request> requests(String path, String webhookId) {
    List<Request> matching = new ArrayList<>();
    for (Request r : requests) {
      if (r.path().equals(path) && (webhookId == null || webhookId.equals(r.header("webhook-id")))) {
        matching.add(r);
      }
    }
    matching.sort(java.util.Comparator.comparingLong(Request::receivedAt));
    return matching;
  }

  public List<Request> awaitRequests(String path, String webhookId, int count) {
    long deadline = System.currentTimeMillis() + 20_000;
    while (requests(path, webhookId).size() < count) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(count + " requests to " + path + " expected, got " + requests(path, webhookId).size());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return requests(path, webhookId);
  }

  int maxConcurrent(String path) {
    return maxConcurrent.getOrDefault(path, 0);
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
