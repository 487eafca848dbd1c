package io.emailgateway;

import io.emailgateway.cli.ReparseCommand;
import io.emailgateway.cli.SignCommand;
import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigLoader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar email-webhook-gateway.jar [--config FILE]} runs the gateway;
 * {@code … sign|keygen …} are the helper commands (see {@link SignCommand}); {@code … reparse …}
 * re-normalizes stored events with the current parsers (see {@link ReparseCommand}).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("sign") || args[0].equals("keygen"))) {
      System.exit(SignCommand.run(args[0], Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0 && args[0].equals("reparse")) {
      System.exit(ReparseCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err));
    }
    Path configFile = configFile(args);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setJvmMetricsEnabled(true).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
            // The event bus only carries each request to a persist verticle, whose queue and commits
            // have their own gateway_persist_* meters; its per-message meters cost every request.
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    Gateway gateway;
    try {
      // Blocking here is fine: this is the main thread, not an event loop.
      gateway = ConfigLoader.load(vertx, configFile, System.getenv())
          .compose(config -> Gateway.start(vertx, registry, config, Path.of(config.embeddedDataDir())))
          .toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("email-webhook-gateway: start-up failed: " + describe(cause));
      if (!(cause instanceof ConfigException)) {
        LOG.debug("start-up failure", cause);
      }
      vertx.close();
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(gateway, vertx), "gateway-shutdown"));
  }

  /** SIGTERM: drain and close within the grace period Kubernetes gives (terminationGracePeriodSeconds). */
  private static void shutdown(Gateway gateway, Vertx vertx) {
    LOG.info("shutting down: no new requests, finishing those in flight");
    try {
      // Close Vert.x from this thread, not from a callback on one of the event loops it shuts down.
      gateway.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      LOG.info("shut down cleanly");
    } catch (Exception e) {
      LOG.error("shutdown did not finish cleanly: {}", e.toString());
      try {
        gateway.stopEmbeddedServices();
      } catch (Exception stopFailed) {
        LOG.error("embedded services did not stop: {}", stopFailed.toString());
      }
    }
  }

  private static Path configFile(String[] args) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--config")) {
        return Path.of(args[i + 1]);
      }
    }
    String fromEnv = System.getenv("GATEWAY_CONFIG");
    return Path.of(fromEnv == null || fromEnv.isBlank() ? "conf/gateway.yaml" : fromEnv);
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return error instanceof ConfigException || message == null ? String.valueOf(message == null ? error : message)
        : error.getClass().getSimpleName() + ": " + message.replace('\n', ' ');
  }
}
