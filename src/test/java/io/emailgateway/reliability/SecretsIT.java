package io.emailgateway.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.read.ListAppender;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.provider.ConformanceCorpus;
import io.emailgateway.provider.EspSigners;
import io.emailgateway.provider.ProviderRegistry;
import io.emailgateway.testing.Http;
import io.emailgateway.testing.ReliabilityReport;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * No credential, signature, signing key or {@code Authorization} value ever reaches a log line
 * (at any level: every logger is set to TRACE while the gateway starts and takes genuine, forged,
 * malformed and replayed requests of all 14 providers, and wrong passwords), a configuration
 * error message, or a label of {@code /metrics}. The log output is captured in memory and every
 * secret, in every form it travels in (raw, base64, decoded {@code user:password}), is searched for.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsIT {
  private final String run = "-" + UUID.randomUUID().toString().substring(0, 8);
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final Map<Logger, Level> levels = new HashMap<>();
  private final List<Appender<ILoggingEvent>> detached = new ArrayList<>();
  private final List<EspSigners.Signed> sent = new ArrayList<>();
  private final List<String> attempted = new ArrayList<>();
  private long oks;
  private Vertx vertx;
  private EspSigners signers;
  private TestDatabase db;
  private TestGateway gateway;

  @BeforeAll
  void start() throws Exception {
    captureEverything();
    vertx = Vertx.vertx();
    signers = EspSigners.create(vertx, Files.createTempDirectory("secrets"));
    db = new TestDatabase(getClass());
    JsonArray sources = new JsonArray();
    signers.all().forEach(signer -> sources.add(signer.source(signer.provider() + run)));
    gateway = TestGateway.start(db.uri(), sources, new JsonObject());
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    db.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    restoreLogging();
  }

  @Test
  void noSecretAppearsInLogsConfigurationErrorsOrMetricLabels() {
    for (EspSigners.Signer signer : signers.all()) {
      ConformanceCorpus.Case fixture = Fixtures.accepted(signers, signer.provider());
      EspSigners.Signed genuine = signer.sign(fixture.contentType(), fixture.headers(), fixture.body());
      send(signer, genuine);
      send(signer, genuine);
      send(signer, signer.sign(fixture.contentType(), fixture.headers(), "{\"broken\":".getBytes(UTF_8)));
      send(signer, signer.wrap("[{\"event\":\"delivered\",\"timestamp\":\"1e99999999\"}]".getBytes(UTF_8)));
      send(signer, withAuthorization(genuine, "Basic " + base64("someone:" + wrongPassword())));
      send(signer, withAuthorization(genuine, "Bearer " + wrongPassword()));
    }
    List<String> configErrors = configurationErrors();
    String metrics = Http.get(gateway.managementPort(), "/metrics").body();
    List<String> secrets = secrets();
    assertThat(secrets).as("secrets to look for").hasSizeGreaterThan(50);

    List<String> logLines = captured.list.stream().map(SecretsIT::render).toList();
    assertThat(logLines).as("log lines captured").hasSizeGreaterThan(20);
    List<String> leaks = new ArrayList<>();
    for (String secret : secrets) {
      logLines.stream().filter(line -> line.contains(secret)).findFirst()
          .ifPresent(line -> leaks.add("log: " + abbreviate(secret) + " in " + abbreviate(line)));
      configErrors.stream().filter(message -> message.contains(secret)).findFirst()
          .ifPresent(message -> leaks.add("configuration error: " + message));
      labelValues(metrics).stream().filter(value -> value.contains(secret)).findFirst()
          .ifPresent(value -> leaks.add("metric label: " + value));
      if (metrics.contains(secret)) {
        leaks.add("metrics text contains " + abbreviate(secret));
      }
    }
    System.out.printf("SecretsIT: %d secret values searched in %d log lines (TRACE), %d configuration errors and /metrics%n",
        secrets.size(), logLines.size(), configErrors.size());
    ReliabilityReport.record(new ReliabilityReport.Row("secrets in logs (TRACE), config errors, /metrics (in-process gateway)",
        0, sent.size(), oks, 0, 0, 0, 0, 0, 0));
    assertThat(leaks).as("secrets that leaked").isEmpty();
  }

  private void send(EspSigners.Signer signer, EspSigners.Signed request) {
    sent.add(request);
    RawHttp.Response response = RawHttp.exchange(gateway.port(),
        RawHttp.post("/webhooks/" + signer.provider() + run, request.httpHeaders(), request.body()), Duration.ofSeconds(10));
    assertThat(response.status()).as("%s answered", signer.provider()).isBetween(200, 499);
    oks += response.status() == 200 ? 1 : 0;
  }

  private EspSigners.Signed withAuthorization(EspSigners.Signed signed, String authorization) {
    Map<String, String> headers = new HashMap<>(signed.headers());
    headers.put("Authorization", authorization);
    attempted.add(authorization);
    return new EspSigners.Signed(signed.contentType(), headers, signed.body(), signed.secrets());
  }

  private String wrongPassword() {
    String password = "wrong-" + UUID.randomUUID();
    attempted.add(password);
    return password;
  }

  /** Sources whose credentials are malformed: the start-up error must name the key, never the value. */
  private List<String> configurationErrors() {
    String secret = "SECRET-" + UUID.randomUUID();
    attempted.add(secret);
    List<JsonObject> broken = List.of(
        new JsonObject().put("id", "r").put("provider", "resend").put("signing_secrets", new JsonArray().add("whsec_!" + secret)),
        new JsonObject().put("id", "s").put("provider", "standard").put("signing_secrets", new JsonArray().add("%" + secret)),
        new JsonObject().put("id", "p").put("provider", "postmark").put("basic_auth", new JsonArray()
            .add(new JsonObject().put("username", "a:" + secret).put("password", secret))),
        new JsonObject().put("id", "g").put("provider", "sendgrid").put("public_keys", new JsonArray().add(secret)),
        new JsonObject().put("id", "o").put("provider", "postal").put("public_keys", new JsonArray().add(secret)));
    List<String> messages = new ArrayList<>();
    for (JsonObject source : broken) {
      try {
        ProviderRegistry.create(SourceConfig.from(new ConfigSection(source, "sources[0]")), vertx);
        messages.add("(accepted)");
      } catch (RuntimeException e) {
        messages.add(e.getMessage());
      }
    }
    assertThat(messages).as("malformed credentials refused").doesNotContain("(accepted)");
    return messages;
  }

  /** Every secret in every form it travels in. */
  private List<String> secrets() {
    List<String> secrets = new ArrayList<>(signers.allSecrets(sent));
    secrets.addAll(attempted);
    for (String value : List.copyOf(secrets)) {
      if (value.startsWith("Basic ")) {
        String decoded = new String(Base64.getDecoder().decode(value.substring(6)), UTF_8);
        secrets.add(value.substring(6));
        secrets.add(decoded);
        secrets.add(decoded.substring(decoded.indexOf(':') + 1));
      } else if (value.startsWith("Bearer ") || value.startsWith("v1,")) {
        secrets.add(value.substring(value.indexOf(value.startsWith("v1,") ? ',' : ' ') + 1));
      }
    }
    secrets.removeIf(secret -> secret.length() < 12);
    return secrets.stream().distinct().toList();
  }

  private static List<String> labelValues(String metrics) {
    List<String> values = new ArrayList<>();
    Matcher label = Pattern.compile("\\w+=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(metrics);
    while (label.find()) {
      values.add(label.group(1));
    }
    return values;
  }

  private static String render(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
    if (event.getThrowableProxy() != null) {
      line.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
    }
    event.getMDCPropertyMap().forEach((key, value) -> line.append(' ').append(key).append('=').append(value));
    return line.toString();
  }

  /** Every logger at TRACE into a list, nothing to the console meanwhile. */
  private void captureEverything() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    for (Logger logger : context.getLoggerList()) {
      levels.put(logger, logger.getLevel());
      logger.setLevel(Level.TRACE);
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      detached.add(it.next());
    }
    detached.forEach(root::detachAppender);
    captured.setContext(context);
    captured.start();
    root.addAppender(captured);
  }

  private void restoreLogging() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(captured);
    detached.forEach(root::addAppender);
    levels.forEach(Logger::setLevel);
  }

  private static String abbreviate(String text) {
    return text.length() > 160 ? text.substring(0, 160) + "…" : text;
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(UTF_8));
  }
}
