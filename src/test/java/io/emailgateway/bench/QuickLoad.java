package io.emailgateway.bench;

import io.emailgateway.testing.SendGridFixtures;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick closed-loop load run against a gateway already running on 127.0.0.1 (not a test):
 * pre-signs SendGrid batches of unique events with a key, keeps {@code connections} requests
 * outstanding for {@code seconds}, then checks in PostgreSQL that every acknowledged event is stored.
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat cp.txt) io.emailgateway.bench.QuickLoad \
 *   KEYDIR URL JDBC_URL [events_per_request=100] [connections=32] [seconds=20]
 * </pre>
 * KEYDIR holds sendgrid.key/sendgrid.pub from {@code keygen sendgrid}; the source must use that public key.
 */
public final class QuickLoad {
  public static void main(String[] args) throws Exception {
    Path keyDir = Path.of(args[0]);
    String url = args[1];
    String jdbc = args[2];
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    int connections = args.length > 4 ? Integer.parseInt(args[4]) : 32;
    int seconds = args.length > 5 ? Integer.parseInt(args[5]) : 20;
    String run = "load" + Long.toHexString(System.nanoTime());
    String privateKey = Files.readString(keyDir.resolve("sendgrid.key")).trim();

    List<Buffer> bodies = new ArrayList<>();
    List<Map<String, String>> headers = new ArrayList<>();
    int presigned = Math.max(connections * 4, 200_000 / batch);
    for (int r = 0; r < presigned; r++) {
      List<String> events = new ArrayList<>(batch);
      for (int e = 0; e < batch; e++) {
        events.add(SendGridFixtures.event(run + "-" + r + "-" + e, "delivered", "user" + e + "@example.com"));
      }
      byte[] body = SendGridFixtures.batch(events);
      bodies.add(Buffer.buffer(body));
      headers.add(SendGridFixtures.signWithPrivateKey(privateKey, body, System.currentTimeMillis() / 1000));
    }

    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(connections));
    AtomicInteger next = new AtomicInteger();
    AtomicLong accepted = new AtomicLong();
    Map<Integer, AtomicInteger> statuses = new TreeMap<>();
    long[] latencies = new long[presigned];
    AtomicInteger done = new AtomicInteger();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    CountDownLatch finished = new CountDownLatch(connections);
    long start = System.nanoTime();
    for (int c = 0; c < connections; c++) {
      vertx.runOnContext(v -> loop(client, url, bodies, headers, next, accepted, statuses, latencies, done, deadline, finished));
    }
    finished.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    vertx.close();

    int completed = done.get();
    long[] sorted = Arrays.copyOf(latencies, completed);
    Arrays.sort(sorted);
    long stored;
    try (var connection = DriverManager.getConnection(jdbc); var rows = connection.createStatement()
        .executeQuery("SELECT count(*) FROM events WHERE event_key LIKE '" + run + "-%'")) {
      rows.next();
      stored = rows.getLong(1);
    }
    System.out.printf("batch=%d connections=%d seconds=%.1f requests=%d statuses=%s%n", batch, connections, elapsed, completed, statuses);
    System.out.printf("requests/s=%.0f events/s acknowledged=%.0f%n", completed / elapsed, accepted.get() / elapsed);
    System.out.printf("ack latency ms p50=%.1f p90=%.1f p99=%.1f max=%.1f%n", pct(sorted, 0.5), pct(sorted, 0.9), pct(sorted, 0.99),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
    System.out.printf("acknowledged events=%d stored in PostgreSQL=%d %s%n", accepted.get(), stored,
        stored == accepted.get() ? "OK" : "LOST EVENTS");
  }

  private static void loop(HttpClient client, String url, List<Buffer> bodies, List<Map<String, String>> headers,
      AtomicInteger next, AtomicLong accepted, Map<Integer, AtomicInteger> statuses, long[] latencies,
      AtomicInteger done, long deadline, CountDownLatch finished) {
    int index = next.getAndIncrement();
    if (System.nanoTime() > deadline || index >= bodies.size()) {
      finished.countDown();
      return;
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url);
    headers.get(index).forEach(options::putHeader);
    long sent = System.nanoTime();
    client.request(options)
        .compose(request -> request.send(bodies.get(index)))
        .compose(response -> response.body().map(body -> {
          synchronized (statuses) {
            statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
          }
          if (response.statusCode() == 200) {
            accepted.addAndGet(new JsonObject(body).getInteger("accepted"));
          }
          return null;
        }))
        .onComplete(result -> {
          latencies[done.getAndIncrement()] = System.nanoTime() - sent;
          loop(client, url, bodies, headers, next, accepted, statuses, latencies, done, deadline, finished);
        });
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
  }

  private QuickLoad() {}
}
