package io.emailgateway.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.provider.ConformanceCorpus;
import io.emailgateway.provider.EspSigners;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Signature attacks over the real HTTP port, on every provider where the attack applies: a wrong
 * key, the key of another source, an emptied signature, the signature of a different body, SNS
 * algorithm confusion (SignatureVersion downgraded or unknown) and {@code SigningCertURL} tricks
 * (foreign host, another scheme, {@code @} and {@code ..}), stale and future timestamps where a
 * window applies, and replays. No attack stores anything new: each is a 401 counted in
 * {@code gateway_auth_failures_total} by source and reason (and no certificate is fetched for a
 * URL the pattern refuses), or — for a replay, which an ESP's own retry cannot be told from — a 200
 * that stores nothing ({@code accepted: 0}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignatureAttacksIT {
  private final String run = "-" + UUID.randomUUID().toString().substring(0, 8);
  private Vertx vertx;
  private EspSigners signers;
  private EspSigners foreign;
  private TestDatabase db;
  private TestGateway gateway;

  /** One attack: where it goes, the request, and the reason expected in the metric (null for a replay). */
  private record Attack(String source, String name, EspSigners.Signed request, String reason) {}

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    signers = EspSigners.create(vertx, Files.createTempDirectory("attacks"));
    foreign = EspSigners.create(vertx, Files.createTempDirectory("attacks-foreign"));
    db = new TestDatabase(getClass());
    JsonArray sources = new JsonArray();
    for (EspSigners.Signer signer : signers.all()) {
      sources.add(signer.source(signer.provider() + run));
      sources.add(foreign.of(signer.provider()).source(signer.provider() + "-other" + run));
    }
    sources.add(signers.of("sendgrid").source("sendgrid-window" + run).put("timestamp_tolerance", "5m"));
    sources.add(signers.of("mailgun").source("mailgun-window" + run).put("timestamp_tolerance", "10h"));
    gateway = TestGateway.start(db.uri(), sources, new JsonObject());
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    db.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void noAttackStoresAnythingAndEveryRefusalIsCountedByReason() {
    List<Attack> attacks = new ArrayList<>();
    for (EspSigners.Signer signer : signers.all()) {
      attacks.addAll(commonAttacks(signer));
    }
    attacks.addAll(snsAttacks());
    attacks.addAll(staleTimestamps());
    // The genuine certificate is fetched for attacks that reach the signature check; any other
    // path on the SNS stand-in would be a fetch a refused SigningCertURL caused.
    int otherPathsBefore = signers.snsTotalHits() - signers.snsHits("/certs/signer.pem");

    Map<String, Integer> refusalsBySource = new HashMap<>();
    List<String> failures = new ArrayList<>();
    for (Attack attack : attacks) {
      long before = stored(attack.source());
      RawHttp.Response response = post(attack.source(), attack.request());
      boolean ok = attack.reason() == null
          ? response.status() == 200 && new JsonObject(response.body()).getInteger("accepted") == 0
          : response.status() == 401;
      if (!ok || stored(attack.source()) != before) {
        failures.add(attack.source() + " / " + attack.name() + ": " + response.status() + " " + response.body());
      }
      if (response.status() == 401) {
        refusalsBySource.merge(attack.source(), 1, Integer::sum);
      }
    }
    assertThat(failures).as("attacks that got in").isEmpty();
    assertThat(signers.snsTotalHits() - signers.snsHits("/certs/signer.pem") - otherPathsBefore)
        .as("fetches for refused SigningCertURLs").isZero();

    Map<String, Map<String, Double>> counted = authFailures(Http.get(gateway.managementPort(), "/metrics").body());
    refusalsBySource.forEach((source, refusals) -> assertThat(counted.getOrDefault(source, Map.of()).values().stream()
        .mapToDouble(Double::doubleValue).sum()).as("401s counted for %s", source).isEqualTo((double) refusals));
    for (Attack attack : attacks) {
      if (attack.reason() != null) {
        assertThat(counted.getOrDefault(attack.source(), Map.of()).keySet())
            .as("%s / %s counted by reason", attack.source(), attack.name()).anyMatch(reason -> reason.contains(attack.reason()));
      }
    }
    ReliabilityReport.record(new ReliabilityReport.Row("signature attacks and replays (in-process gateway)", 0,
        attacks.size(), attacks.stream().filter(a -> a.reason() == null).count(), 0, 0, 0, attacks.size(), 0, 0));
  }

  private List<Attack> commonAttacks(EspSigners.Signer signer) {
    String provider = signer.provider();
    String home = provider + run;
    ConformanceCorpus.Case fixture = Fixtures.accepted(signers, provider);
    EspSigners.Signed genuine = signer.sign(fixture.contentType(), fixture.headers(), fixture.body());
    List<Attack> attacks = new ArrayList<>();
    attacks.add(new Attack(home, "wrong key", foreign.of(provider).sign(fixture.contentType(), fixture.headers(), fixture.body()), ""));
    attacks.add(new Attack(provider + "-other" + run, "key of another source", genuine, ""));
    attacks.add(new Attack(home, "empty signature", emptied(provider, genuine), ""));
    if (Set.of("postmark", "sparkpost", "mailjet", "brevo").contains(provider)) {
      return attacks; // basic auth signs no body: "another body" is not an attack on it
    }
    if (!provider.equals("mailgun")) {
      // Mailgun signs timestamp + token, not the body: a block is honoured once (the token is the
      // event key), so its attack is the forged event data under a block already delivered, below.
      attacks.add(new Attack(home, "signature of a different body", otherBody(provider, genuine), ""));
    }
    if (Set.of("sendgrid", "mailgun", "resend", "standard").contains(provider)) {
      EspSigners.Signed original = signer.sign(fixture.contentType(), fixture.headers(), fixture.body());
      RawHttp.Response first = post(home, original);
      assertThat(first.status()).as("%s genuine request before its replay: %s", provider, first.body()).isEqualTo(200);
      attacks.add(new Attack(home, "replay", original, null));
      if (provider.equals("mailgun")) {
        attacks.add(new Attack(home, "delivered signature block on forged event data", forgedEventData(original), null));
      }
    }
    return attacks;
  }

  /** Every credential of the request emptied: its headers, or the signature inside the body. */
  private static EspSigners.Signed emptied(String provider, EspSigners.Signed signed) {
    String body = new String(signed.body(), UTF_8);
    for (String secret : signed.secrets()) {
      body = body.replace(secret, "");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    signed.headers().forEach((name, value) -> headers.put(name, signed.secrets().contains(value) ? "" : value));
    return new EspSigners.Signed(signed.contentType(), headers, body.getBytes(UTF_8), List.of());
  }

  /** The signature (headers, or the signed fields in the body) of the genuine request over another body. */
  private EspSigners.Signed otherBody(String provider, EspSigners.Signed signed) {
    String body = new String(signed.body(), UTF_8);
    String changed = switch (provider) {
      case "ses" -> {
        JsonObject envelope = new JsonObject(body);
        yield envelope.put("Message", envelope.getString("Message").replace("@", "@x.")).encode();
      }
      case "unisender_go" -> body.replaceFirst("@", "@x.");
      case "mandrill" -> body.replaceFirst("%40", "%40x.");
      default -> body.endsWith("\n") ? body.substring(0, body.length() - 1) + " \n" : body + " ";
    };
    assertThat(changed).as("%s: a different body", provider).isNotEqualTo(body);
    return new EspSigners.Signed(signed.contentType(), signed.headers(), changed.getBytes(UTF_8), signed.secrets());
  }

  /** A stored Mailgun request's signature block in front of event data the attacker wrote. */
  private static EspSigners.Signed forgedEventData(EspSigners.Signed stored) {
    JsonObject body = new JsonObject(new String(stored.body(), UTF_8));
    body.put("event-data", new JsonObject().put("event", "complained").put("id", "forged").put("recipient", "ceo@example.com")
        .put("timestamp", 1_700_000_000));
    return new EspSigners.Signed(stored.contentType(), stored.headers(), body.encode().getBytes(UTF_8), stored.secrets());
  }

  private List<Attack> snsAttacks() {
    String home = "ses" + run;
    EspSigners.Signer ses = signers.of("ses");
    ConformanceCorpus.Case fixture = Fixtures.accepted(signers, "ses");
    EspSigners.Signed genuine = ses.sign(fixture.contentType(), fixture.headers(), fixture.body());
    List<Attack> attacks = new ArrayList<>();
    attacks.add(new Attack(home, "SignatureVersion 2 signature presented as 1",
        withEnvelope(genuine, e -> e.put("SignatureVersion", "1")), "sns_signature_mismatch"));
    attacks.add(new Attack(home, "SignatureVersion 3", withEnvelope(genuine, e -> e.put("SignatureVersion", "3")),
        "sns_signature_version_unsupported"));
    attacks.add(new Attack(home, "no Signature", withEnvelope(genuine, e -> e.remove("Signature")), "sns_signature_missing"));
    String allowed = signers.snsUrl("/certs/signer.pem");
    String hostPort = allowed.substring("http://".length(), allowed.indexOf("/certs"));
    for (String url : List.of("http://evil.example/certs/signer.pem",
        allowed.replace("http://", "https://"),
        "http://" + hostPort + "@evil.example/certs/signer.pem",
        "http://evil.example@" + hostPort + "/certs/signer.pem",
        "http://" + hostPort + ".evil.example/certs/signer.pem",
        "http://" + hostPort + "/certs/../signer.pem",
        "http://" + hostPort + "/certs/x/../../certs/signer.pem",
        allowed + "?.pem",
        allowed + "#.pem")) {
      attacks.add(new Attack(home, "SigningCertURL " + url, withEnvelope(genuine, e -> e.put("SigningCertURL", url)),
          "sns_cert_url_not_allowed"));
    }
    return attacks;
  }

  private static EspSigners.Signed withEnvelope(EspSigners.Signed signed, java.util.function.Consumer<JsonObject> change) {
    JsonObject envelope = new JsonObject(new String(signed.body(), UTF_8));
    change.accept(envelope);
    return new EspSigners.Signed(signed.contentType(), signed.headers(), envelope.encode().getBytes(UTF_8), signed.secrets());
  }

  private List<Attack> staleTimestamps() {
    long now = System.currentTimeMillis() / 1000;
    List<Attack> attacks = new ArrayList<>();
    for (String provider : List.of("resend", "standard")) {
      byte[] body = Fixtures.accepted(signers, provider).body();
      attacks.add(new Attack(provider + run, "signed 10 minutes ago", signers.of(provider).signAt(now - 600, body), "tolerance"));
      attacks.add(new Attack(provider + run, "signed 10 minutes ahead", signers.of(provider).signAt(now + 600, body), "tolerance"));
    }
    byte[] sendgrid = Fixtures.accepted(signers, "sendgrid").body();
    attacks.add(new Attack("sendgrid-window" + run, "signed 10 minutes ago", signers.of("sendgrid").signAt(now - 600, sendgrid),
        "timestamp_tolerance"));
    byte[] mailgun = Fixtures.accepted(signers, "mailgun").body();
    attacks.add(new Attack("mailgun-window" + run, "signed 11 hours ago", signers.of("mailgun").signAt(now - 11 * 3600, mailgun),
        "outside tolerance"));
    return attacks;
  }

  private RawHttp.Response post(String source, EspSigners.Signed request) {
    return RawHttp.exchange(gateway.port(), RawHttp.post("/webhooks/" + source, request.httpHeaders(), request.body()),
        Duration.ofSeconds(10));
  }

  private long stored(String source) {
    return db.count("SELECT count(*) FROM events WHERE source = '" + source + "'");
  }

  /** source → reason → count, from the gateway_auth_failures_total lines of a Prometheus scrape. */
  static Map<String, Map<String, Double>> authFailures(String metrics) {
    Map<String, Map<String, Double>> counted = new HashMap<>();
    Pattern line = Pattern.compile("^gateway_auth_failures_total\\{(.*)} (\\S+)$", Pattern.MULTILINE);
    Matcher matcher = line.matcher(metrics);
    while (matcher.find()) {
      Map<String, String> labels = labels(matcher.group(1));
      counted.computeIfAbsent(labels.get("source"), s -> new HashMap<>())
          .merge(labels.get("reason"), Double.parseDouble(matcher.group(2)), Double::sum);
    }
    return counted;
  }

  static Map<String, String> labels(String text) {
    Map<String, String> labels = new HashMap<>();
    Matcher label = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(text);
    while (label.find()) {
      labels.put(label.group(1), label.group(2));
    }
    return labels;
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(UTF_8));
  }
}
