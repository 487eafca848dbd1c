package io.emailgateway.cli;

import io.emailgateway.config.ConfigLoader;
import io.emailgateway.config.GatewayConfig;
import io.emailgateway.config.HandlerSettings;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.provider.ProviderRegistry;
import io.emailgateway.provider.WebhookProvider;
import io.emailgateway.reparse.ReparseSummary;
import io.emailgateway.reparse.Reparser;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code reparse --source ID [--since TIME] [--until TIME] [--config FILE] [--dry-run] [--page-size N]}:
 * re-normalizes the stored events of one source with the current parser (README "Re-parse").
 * Reads the gateway's own configuration (the same file and environment, so the source's provider
 * and the database are the gateway's) and talks to PostgreSQL over JDBC: this is a command on its
 * own thread, not part of the event loop. Exit status: 0 done, 1 error, 2 usage, 3 done but some
 * events could not be re-parsed (named in the log).
 */
public final class ReparseCommand {
  private static final String USAGE = """
      usage: reparse --source ID [--since TIME] [--until TIME] [--config FILE] [--dry-run] [--page-size N]
        TIME: 2026-11-25T00:00:00Z or 2026-11-25 (UTC midnight); bounds on when events were stored""";
  private static final int DEFAULT_PAGE_SIZE = 500;

  private ReparseCommand() {}

  public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    Map<String, String> options;
    Reparser.Options reparse;
    try {
      options = options(args);
      reparse = new Reparser.Options(required(options, "--source"), time(options.get("--since")), time(options.get("--until")),
          options.containsKey("--dry-run"), pageSize(options.get("--page-size")));
    } catch (IllegalArgumentException e) {
      err.println("reparse: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    try {
      GatewayConfig config = loadConfig(configFile(options, environment), environment);
      SourceConfig source = config.sources().stream().filter(s -> s.id().equals(reparse.source())).findFirst()
          .orElseThrow(() -> new IllegalStateException("no source '" + reparse.source() + "' in the configuration"));
      if (config.embeddedPostgres()) {
        throw new IllegalStateException("postgres.uri is not set: re-parse needs the gateway's PostgreSQL");
      }
      WebhookProvider provider = ProviderRegistry.create(source, null);
      ReparseSummary summary;
      try (Connection connection = connect(PgConnectOptions.fromUri(config.postgresUri()))) {
        summary = new Reparser(provider, suppressionScope(config.handlers()), reparse).run(connection);
      }
      out.println((reparse.dryRun() ? "dry run, nothing written: " : "") + "source " + reparse.source() + " ("
          + provider.name() + ", parser version " + provider.parserVersion() + "): " + summary);
      return summary.failed() > 0 ? 3 : 0;
    } catch (Exception e) {
      err.println("reparse failed: " + (e.getMessage() == null ? e : e.getMessage()));
      return 1;
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dry-run" -> options.put(args[i], "true");
        case "--source", "--since", "--until", "--config", "--page-size" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value");
          }
          options.put(args[i], args[++i]);
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }

  static Instant time(String text) {
    if (text == null) {
      return null;
    }
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a time: " + text);
    }
  }

  private static int pageSize(String text) {
    try {
      int size = text == null ? DEFAULT_PAGE_SIZE : Integer.parseInt(text);
      if (size < 1 || size > 10_000) {
        throw new IllegalArgumentException("--page-size must be 1 to 10000");
      }
      return size;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--page-size must be a number");
    }
  }

  private static Path configFile(Map<String, String> options, Map<String, String> environment) {
    String file = options.getOrDefault("--config", environment.get("GATEWAY_CONFIG"));
    return Path.of(file == null || file.isBlank() ? "conf/gateway.yaml" : file);
  }

  private static GatewayConfig loadConfig(Path file, Map<String, String> environment) throws Exception {
    // The CLI's main thread, with no server running: blocking on the future here is fine.
    Vertx vertx = Vertx.vertx();
    try {
      return ConfigLoader.load(vertx, file, environment).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      vertx.close();
    }
  }

  private static String suppressionScope(HandlerSettings handlers) {
    return handlers.suppression().global() ? HandlerSettings.Suppression.GLOBAL_SCOPE : null;
  }

  private static Connection connect(PgConnectOptions options) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/"
        + options.getDatabase(), options.getUser(), options.getPassword());
  }
}
