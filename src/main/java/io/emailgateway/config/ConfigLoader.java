package io.emailgateway.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the YAML file with vertx-config (only that store: the default stores would let
 * system properties and environment override keys by accident), substitutes {@code ${VAR}}
 * references from the environment, and validates it into a {@link GatewayConfig}.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static Future<GatewayConfig> load(Vertx vertx, Path file, Map<String, String> environment) {
    if (!Files.isRegularFile(file)) {
      return Future.failedFuture(new ConfigException("configuration file not found: " + file));
    }
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false)
        .addStore(new ConfigStoreOptions().setType("file").setFormat("yaml")
            .setConfig(new JsonObject().put("path", file.toString())));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .recover(error -> Future.failedFuture(new ConfigException("cannot read " + file + ": " + rootMessage(error))))
        .map(json -> GatewayConfig.from(new EnvSubstitution(environment).apply(json)))
        .eventually(retriever::close);
  }

  private static String rootMessage(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return String.valueOf(cause.getMessage()).replace('\n', ' ');
  }
}
