package io.emailgateway.reliability;

import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real jar ({@code target/email-webhook-gateway.jar}, built by {@code package} before the
 * integration tests run) as a child process with a generated configuration, as an operator runs
 * it: started, waited for until {@code /health/ready} answers UP, killed with SIGKILL or stopped
 * with SIGTERM, started again on the same ports. Its output goes to a log file per instance.
 */
final class GatewayProcess implements AutoCloseable {
  static final Path JAR = Path.of("target", "email-webhook-gateway.jar");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Path configFile;
  private final Path log;
  private final int port;
  private final int managementPort;
  private Process process;

  private GatewayProcess(String name, Path configFile, Path log, int port, int managementPort) {
    this.name = name;
    this.configFile = configFile;
    this.log = log;
    this.port = port;
    this.managementPort = managementPort;
  }

  /**
   * Writes the configuration (JSON is YAML) with both listeners on free ports of 127.0.0.1 and
   * {@code config} merged over it; does not start the process.
   */
  static GatewayProcess configure(Path workDir, String name, JsonObject config) {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: the fault suites run in the integration-test phase, after "
          + "package (mvn verify), or build it first with mvn -o package -DskipTests");
    }
    int[] ports = TestGateway.freePorts(2);
    int port = ports[0];
    int managementPort = ports[1];
    JsonObject full = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port).put("management_port", managementPort)
            .put("instances", 2))
        .mergeIn(config, true);
    try {
      Files.createDirectories(workDir);
      Path configFile = Files.writeString(workDir.resolve(name + ".yaml"), full.encodePrettily());
      return new GatewayProcess(name, configFile, workDir.resolve(name + ".log"), port, managementPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What every fault suite's jar starts from: PostgreSQL at {@code postgresUri} (pool of 4), the
   * test Redis, one SendGrid source; a suite adds its own settings with {@code put} or {@code mergeIn}.
   */
  static JsonObject sendGridSetup(String postgresUri, String source, String publicKey) {
    return new JsonObject()
        .put("postgres", new JsonObject().put("uri", postgresUri).put("pool_size", 4))
        .put("redis", new JsonObject().put("uri", io.emailgateway.testing.TestServices.redisUri()))
        .put("sources", new JsonArray().add(new JsonObject().put("id", source).put("provider", "sendgrid")
            .put("public_keys", new JsonArray().add(publicKey))));
  }

  /** Starts the jar and waits until it is ready (at most 90 s). */
  GatewayProcess start() {
    launch();
    awaitReady(Duration.ofSeconds(90));
    return this;
  }

  /**
   * Starts the jar without waiting for readiness: its handlers begin on the outbox before its
   * listeners open, so a suite that must catch them at work watches the database instead.
   */
  GatewayProcess launch() {
    try {
      Files.writeString(log, "=== start " + java.time.Instant.now() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      ProcessBuilder builder = new ProcessBuilder(List.of(javaBinary(), "-Xmx384m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(), "--config", configFile.toString()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().put("GATEWAY_LOG_LEVEL", "INFO");
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Waits until {@code /health/ready} answers 200; fails when the process exits first or {@code limit} passes. */
  void awaitReady(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready; log:\n" + logTail());
      }
      if (ready() == 200) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException(name + " not ready after " + limit + "; log:\n" + logTail());
  }

  /** The status of {@code /health/ready}, or -1 when the management listener does not answer. */
  int ready() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The Prometheus text of {@code /metrics}. */
  String metrics() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The sum of the samples of metric {@code name} (as Prometheus writes it) whose labels include
   * {@code label}, e.g. {@code destination="crm"}; 0 when there is none.
   */
  double metric(String name, String label) {
    double sum = 0;
    for (String line : metrics().split("\n")) {
      if (line.startsWith(name + "{") && line.substring(0, line.lastIndexOf('}') + 1).contains(label)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** SIGKILL: no shutdown hook, no drain, no flush. */
  void kill9() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** SIGTERM, as Kubernetes stops a pod; returns the exit code. */
  int terminate(Duration grace) {
    process.destroy();
    if (!awaitExit(grace)) {
      process.destroyForcibly();
      awaitExit(Duration.ofSeconds(10));
      throw new IllegalStateException(name + " did not exit within " + grace + " of SIGTERM; log:\n" + logTail());
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  private boolean awaitExit(Duration limit) {
    try {
      return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  int port() {
    return port;
  }

  int managementPort() {
    return managementPort;
  }

  String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last 4,000 characters of the log, for failure messages. */
  String logTail() {
    String text = log();
    return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
  }

  @Override
  public void close() {
    if (isAlive()) {
      kill9();
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
