package io.emailgateway.metrics;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server, started as a child process for one test: it scrapes the test
 * gateway every second and evaluates the alert rules file every second. Loopback only.
 */
final class LocalPrometheus implements AutoCloseable {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final int port;

  private LocalPrometheus(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static LocalPrometheus start(Path binary, Path workDir, int port, int scrapePort, Path rules) throws Exception {
    Files.createDirectories(workDir);
    Path config = workDir.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global: {scrape_interval: 1s, evaluation_interval: 1s}",
        "rule_files: ['" + rules.toAbsolutePath() + "']",
        "scrape_configs:",
        "  - job_name: email-webhook-gateway",
        "    static_configs: [{targets: ['127.0.0.1:" + scrapePort + "']}]",
        ""));
    Process process = new ProcessBuilder(List.of(binary.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + workDir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"))
        .redirectErrorStream(true).redirectOutput(workDir.resolve("prometheus.log").toFile()).start();
    LocalPrometheus prometheus = new LocalPrometheus(process, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!prometheus.ready()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        prometheus.close();
        throw new IllegalStateException("prometheus did not start, see " + workDir.resolve("prometheus.log"));
      }
      Thread.sleep(200);
    }
    return prometheus;
  }

  /** {@code /api/v1/query} at the current time: {@code {"status": …, "data": {"result": […]}}}. */
  JsonObject query(String promql) throws IOException, InterruptedException {
    return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  /** {@code /api/v1/rules}: every group and rule with its health and last error. */
  JsonObject rules() throws IOException, InterruptedException {
    return get("/api/v1/rules");
  }

  private boolean ready() {
    try {
      return CLIENT.send(request("/-/ready"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private JsonObject get(String path) throws IOException, InterruptedException {
    // Prometheus answers 400/422 with a JSON error body: return it, the caller reports it.
    return new JsonObject(CLIENT.send(request(path), HttpResponse.BodyHandlers.ofString()).body());
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).GET().build();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
