package io.emailgateway.testing;

import io.emailgateway.Gateway;
import io.emailgateway.config.GatewayConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real gateway (real verticles, real listeners on free ports) for one test class. */
public final class TestGateway implements AutoCloseable {
  private final Vertx vertx;
  private final Gateway gateway;
  private final int port;
  private final int managementPort;

  private TestGateway(Vertx vertx, Gateway gateway, int port, int managementPort) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.port = port;
    this.managementPort = managementPort;
  }

  /** Starts a gateway on {@code postgresUri} and the test Redis with these sources and extra settings. */
  public static TestGateway start(String postgresUri, JsonArray sources, JsonObject overrides) {
    int[] ports = freePorts(2);
    int port = ports[0];
    int managementPort = ports[1];
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port).put("management_port", managementPort)
            .put("instances", 2))
        .put("postgres", new JsonObject().put("uri", postgresUri).put("pool_size", 4))
        .put("redis", new JsonObject().put("uri", TestServices.redisUri()))
        .put("sources", sources)
        .mergeIn(overrides, true);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // The same meters as Main (JVM ones included), so tests see the scrape production exports.
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setJvmMetricsEnabled(true).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
        .withMetrics(new MicrometerMetricsFactory(registry)).build();
    try {
      Gateway gateway = Gateway.start(vertx, registry, GatewayConfig.from(config), Path.of("target/it-data"))
          .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      return new TestGateway(vertx, gateway, port, managementPort);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("gateway did not start", e);
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public int port() {
    return port;
  }

  public int managementPort() {
    return managementPort;
  }

  public Gateway gateway() {
    return gateway;
  }

  @Override
  public void close() throws Exception {
    // vertx.close() from the test thread, not from a callback on one of the event loops it shuts down.
    gateway.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * {@code n} distinct free ports: the sockets stay open until all are chosen (two calls of
   * {@link #freePort} in a row can return the same port — it happened, and the webhooks and the
   * management listener of a test gateway then shared one port).
   */
  public static int[] freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0));
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing a listening socket that was never used
        }
      }
    }
  }

  public static int freePort() {
    return freePorts(1)[0];
  }
}
