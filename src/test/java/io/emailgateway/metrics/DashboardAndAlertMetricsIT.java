package io.emailgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.metrics.MonitoringQueries.Query;
import io.emailgateway.testing.Http;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboard and the alert rules can never silently go blank after a rename: a real gateway
 * gets a little traffic of every kind the panels show (accepted, duplicate, forged, rate-limited,
 * shed), and every metric name their PromQL reads must be in its /metrics scrape. Prometheus
 * suffixes are matched as such (a histogram family offers {@code _bucket}, {@code _count},
 * {@code _sum}; a counter {@code _total}); {@code up} comes from Prometheus itself.
 *
 * <p>Names of the handler meters ({@code gateway_outbox_*}, {@code gateway_handler_*},
 * {@code gateway_forward_*}, {@code gateway_deliverability_*}) are required only when the handler
 * classes are on the classpath: before the handlers are merged the check reports them as
 * skipped, afterwards it is strict. The configuration this test passes for them (a fast gauge
 * refresh, an unreachable destination that dead-letters at once) is ignored by a gateway without
 * handlers.
 *
 * <p>The scrape also goes through {@code promtool check metrics}, and a real Prometheus scrapes
 * this gateway, evaluates every alert rule and answers every dashboard query with data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardAndAlertMetricsIT {
  private static final Path OUT = Path.of("target/monitoring");
  private static final boolean HANDLERS = classExists("io.emailgateway.handler.HandlersVerticle");
  private static final List<String> HANDLER_PREFIXES = List.of("gateway_outbox_", "gateway_handler_", "gateway_forward_",
      "gateway_deliverability_");
  /** Series Prometheus makes itself rather than scraping them. */
  private static final Set<String> SYNTHETIC = Set.of("up");
  /**
   * promtool's lint findings on meters we do not name (Micrometer's JVM binders). Any other
   * finding, and any finding on a gateway_* meter, fails the check.
   */
  private static final Set<String> THIRD_PARTY_LINT = Set.of(
      "jvm_compilation_time_ms_total metric names should not contain abbreviated units",
      "process_cpu_time_ns_total metric names should not contain abbreviated units",
      "system_cpu_count non-histogram and non-summary metrics should not have \"_count\" suffix");

  private final SendGridFixtures sendgrid = new SendGridFixtures();
  /** Limiter windows live in the shared Redis: a fresh source id per run starts with a full budget. */
  private final String limited = "sg-limited-" + Long.toHexString(new SecureRandom().nextLong());
  private TestDatabase db;
  private TestGateway gateway;
  private String scrape;

  @BeforeAll
  void startGatewayAndSendTrafficOfEveryKind() throws Exception {
    db = new TestDatabase(getClass());
    JsonArray sources = new JsonArray()
        .add(new JsonObject().put("id", "sg").put("provider", "sendgrid").put("public_keys", new JsonArray().add(sendgrid.publicKey())))
        .add(new JsonObject().put("id", limited).put("provider", "sendgrid")
            .put("public_keys", new JsonArray().add(sendgrid.publicKey()))
            .put("rate_limit", new JsonObject().put("requests", 1).put("window", "60s")));
    gateway = TestGateway.start(db.uri(), sources, new JsonObject()
        .put("http", new JsonObject().put("max_in_flight_bytes", 32_768))
        .put("rate_limit_per_ip", new JsonObject().put("requests", 10_000).put("window", "60s"))
        .put("handlers", new JsonObject().put("metrics_interval", "200ms"))
        .put("destinations", new JsonArray().add(unreachableDestination())));

    // Events of now: the deliverability gauges count only events inside their metrics window.
    long now = System.currentTimeMillis() / 1000;
    byte[] batch = SendGridFixtures.batch(List.of(
        SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "a@example.com", now),
        SendGridFixtures.event(SendGridFixtures.eventId(), "bounce", "b@example.com", now),
        SendGridFixtures.event(SendGridFixtures.eventId(), "spamreport", "c@example.com", now),
        SendGridFixtures.event(SendGridFixtures.eventId(), "open", "a@example.com", now)));
    assertThat(post("sg", sendgrid.signedHeaders(batch), batch)).isEqualTo(200);
    assertThat(post("sg", sendgrid.signedHeaders(batch), batch)).isEqualTo(200);
    assertThat(post("sg", new SendGridFixtures().signedHeaders(batch), batch)).isEqualTo(401);
    byte[] one = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered", "d@example.com")));
    assertThat(post(limited, sendgrid.signedHeaders(one), one)).isEqualTo(200);
    assertThat(post(limited, sendgrid.signedHeaders(one), one)).isEqualTo(429);
    shedOneRequestForItsSize();
    System.gc(); // the JVM's GC pause timer appears with the first collection

    scrape = HANDLERS ? awaitHandlerMeters() : scrape();
    Files.createDirectories(OUT);
    Files.writeString(OUT.resolve("metrics.txt"), scrape);
  }

  @AfterAll
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    db.close();
  }

  @Test
  void everyMetricTheDashboardAndTheAlertRulesReadIsInTheScrape() {
    Set<String> offered = PrometheusScrape.names(scrape);
    Map<String, List<String>> missing = new TreeMap<>();
    Set<String> skipped = new TreeSet<>();
    Set<String> checked = new TreeSet<>();
    for (Query query : queries()) {
      for (String name : PromQlMetricNames.of(query.expr())) {
        if (SYNTHETIC.contains(name)) {
          continue;
        }
        if (isHandlerMeter(name) && !HANDLERS) {
          skipped.add(name);
          continue;
        }
        checked.add(name);
        if (!offered.contains(name)) {
          missing.computeIfAbsent(name, n -> new ArrayList<>()).add(query.origin());
        }
      }
    }
    System.out.printf("dashboard and alert rules read %d metric names, all checked against the scrape%s%n", checked.size(),
        skipped.isEmpty() ? "" : "; handler meters not required (no handler classes on the classpath): " + skipped);
    assertThat(missing).as("metric names read by the dashboard or the alert rules but not in the gateway's scrape"
        + " (name -> where it is used); scrape saved in " + OUT.resolve("metrics.txt")).isEmpty();
    assertThat(checked).as("the check found the queries").contains("gateway_webhook_requests_total",
        "gateway_ack_latency_seconds_bucket", "jvm_memory_used_bytes");
  }

  @Test
  void scrapePassesPromtoolCheckMetrics() throws Exception {
    Path promtool = MonitoringTools.require("promtool");
    Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true)
        .redirectInput(OUT.resolve("metrics.txt").toFile()).start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> findings = output.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    assertThat(check.exitValue()).as("promtool check metrics exit code (3 = lint findings only): " + output).isIn(0, 3);
    assertThat(findings).as("promtool check metrics findings on our meters").allMatch(THIRD_PARTY_LINT::contains);
  }

  @Test
  void realPrometheusEvaluatesEveryAlertRuleAndAnswersEveryDashboardQueryWithData() throws Exception {
    Path binary = MonitoringTools.require("prometheus");
    try (LocalPrometheus prometheus = LocalPrometheus.start(binary, OUT.resolve("prometheus"), TestGateway.freePort(),
        gateway.managementPort(), MonitoringQueries.ALERT_RULES)) {
      // rate() needs two samples in its window: wait for three good scrapes (a busy test JVM may miss one)
      await(() -> !prometheus.query("count_over_time(gateway_requests_in_flight[1m]) >= 3").getJsonObject("data")
          .getJsonArray("result").isEmpty(), "Prometheus has scraped the gateway three times");
      await(() -> allRulesEvaluated(prometheus.rules()), "Prometheus evaluates every rule at least once");

      List<String> unhealthy = new ArrayList<>();
      for (Object group : prometheus.rules().getJsonObject("data").getJsonArray("groups")) {
        for (Object item : ((JsonObject) group).getJsonArray("rules")) {
          JsonObject rule = (JsonObject) item;
          if (!"ok".equals(rule.getString("health"))) {
            unhealthy.add(rule.getString("name") + ": " + rule.getString("lastError"));
          }
        }
      }
      assertThat(unhealthy).as("alert rules Prometheus could not evaluate").isEmpty();

      List<String> failed = new ArrayList<>();
      List<String> empty = new ArrayList<>();
      for (Query query : MonitoringQueries.dashboard()) {
        JsonObject answer = prometheus.query(MonitoringQueries.forPrometheus(query.expr(), "1m"));
        if (!"success".equals(answer.getString("status"))) {
          failed.add(query.origin() + ": " + answer.getString("error"));
        } else if (answer.getJsonObject("data").getJsonArray("result").isEmpty() && required(query)) {
          empty.add(query.origin() + ": " + query.expr());
        }
      }
      SoftAssertions.assertSoftly(softly -> {
        softly.assertThat(failed).as("dashboard queries Prometheus refused").isEmpty();
        softly.assertThat(empty).as("dashboard queries that show no data although every meter they read exists").isEmpty();
      });
    }
  }

  private int post(String source, Map<String, String> headers, byte[] body) {
    return Http.post(gateway.port(), "/webhooks/" + source, headers, body).statusCode();
  }

  /** 40 KiB against http.max_in_flight_bytes of 32 KiB: refused with 503 while its body arrives. */
  private void shedOneRequestForItsSize() {
    byte[] big = SendGridFixtures.batch(List.of(SendGridFixtures.event(SendGridFixtures.eventId(), "delivered",
        "x".repeat(40_960) + "@example.com")));
    try {
      assertThat(post("sg", sendgrid.signedHeaders(big), big)).isEqualTo(503);
    } catch (UncheckedIOException e) {
      // the gateway may close the connection before the client has sent the whole body
    }
    assertThat(scrape()).containsPattern("gateway_shed_total\\{[^}]*reason=\"max_in_flight_bytes\"[^}]*\\} [1-9]");
  }

  /** The handler gauges are read from the database: wait until a refresh has seen this test's events. */
  private String awaitHandlerMeters() throws InterruptedException {
    Set<String> wanted = new TreeSet<>();
    queries().forEach(query -> PromQlMetricNames.of(query.expr()).stream().filter(DashboardAndAlertMetricsIT::isHandlerMeter)
        .forEach(wanted::add));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String current = scrape();
    while (!PrometheusScrape.names(current).containsAll(wanted) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      current = scrape();
    }
    return current;
  }

  private String scrape() {
    return Http.get(gateway.managementPort(), "/metrics").body();
  }

  private static List<Query> queries() {
    return Stream.concat(MonitoringQueries.dashboard().stream(), MonitoringQueries.alertRules().stream()).toList();
  }

  private static boolean required(Query query) {
    return HANDLERS || PromQlMetricNames.of(query.expr()).stream().noneMatch(DashboardAndAlertMetricsIT::isHandlerMeter);
  }

  private static boolean isHandlerMeter(String name) {
    return HANDLER_PREFIXES.stream().anyMatch(name::startsWith);
  }

  /** A destination nobody listens on, dead-lettered after one attempt: the forward_* meters get their rows. */
  private static JsonObject unreachableDestination() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new JsonObject().put("id", "unreachable").put("url", "http://127.0.0.1:" + TestGateway.freePort() + "/events")
        .put("signing_secret", "whsec_" + Base64.getEncoder().encodeToString(secret)).put("max_attempts", 1);
  }

  private static boolean allRulesEvaluated(JsonObject rules) {
    return rules.getJsonObject("data").getJsonArray("groups").stream()
        .flatMap(group -> ((JsonObject) group).getJsonArray("rules").stream())
        .allMatch(rule -> !((JsonObject) rule).getString("lastEvaluation", "0001").startsWith("0001"));
  }

  private static void await(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(250);
    }
  }

  @FunctionalInterface
  private interface Check {
    boolean ok() throws Exception;
  }

  private static boolean classExists(String name) {
    try {
      Class.forName(name, false, DashboardAndAlertMetricsIT.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
