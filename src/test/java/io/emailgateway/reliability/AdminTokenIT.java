package io.emailgateway.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.ReliabilityReport;
import io.emailgateway.testing.SendGridFixtures;
import io.emailgateway.testing.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

/**
 * The admin API's token against the real jar with {@code admin.token} set: every route of the
 * served OpenAPI document, with every method it has, is called with each wrong form of the
 * {@code Authorization} field — none, an empty or bare scheme, a wrong token, the token with a
 * character more, less or changed, its first half, another case, another scheme, the token alone,
 * in the query string, or the field twice (wrong and right in either order, or right twice) —
 * and must answer 401 as a problem document with {@code WWW-Authenticate: Bearer} and change
 * nothing: the suppression, the parked handler event, the dead delivery and the quarantined
 * request that the mutating routes would touch are exactly as before. The right token, with the
 * scheme in any case, opens the API; and the same mutating calls with it do change those rows,
 * which shows the checks above could see a change. (The comparison's constant time is measured in
 * {@code ConstantTimeTest}; the forms one by one in {@code AdminAuthTest}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminTokenIT {
  private static final String SOURCE = "sg";
  private static final String ADDRESS = "kept@example.com";

  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private final String token = randomToken();
  private TestDatabase db;
  private GatewayProcess gateway;
  private long eventId;
  private long deliveryId;
  private long quarantineId;
  private String messageId;
  private String quarantinedEventKey;
  private long oks;
  private long requests;
  private long fiveXx;

  @BeforeAll
  void start() {
    db = new TestDatabase(getClass());
    JsonObject config = GatewayProcess.sendGridSetup(db.uri(), SOURCE, sendgrid.publicKey())
        .put("admin", new JsonObject().put("token", token))
        .put("handlers", new JsonObject().put("poll_interval", "100ms"));
    gateway = GatewayProcess.configure(Path.of("target", "reliability-work"), "admin-token", config).start();
    seed();
  }

  @AfterAll
  void stop() {
    gateway.close();
    db.close();
  }

  /** One row for each mutating route to touch: a suppression, a parked event, a dead delivery, a quarantined request. */
  private void seed() {
    String key = SendGridFixtures.eventId();
    byte[] body = SendGridFixtures.batch(List.of(SendGridFixtures.event(key, "delivered", ADDRESS)));
    assertThat(call("POST", "/webhooks/" + SOURCE, headers(sendgrid.signedHeaders(body)), body, false).status()).isEqualTo(200);
    eventId = db.count("SELECT id FROM events WHERE event_key = '" + key + "'");
    StringBuilder message = new StringBuilder();
    db.query("SELECT message_id FROM events WHERE id = " + eventId, rows -> {
      rows.next();
      message.append(rows.getString(1));
    });
    messageId = message.toString();
    assertThat(call("PUT", "/api/v1/suppressions/" + ADDRESS, right(), "{\"reason\":\"complaint\",\"note\":\"seed\"}".getBytes(UTF_8),
        true).status()).isBetween(200, 201);
    db.count("INSERT INTO handler_dead_events (event_id, attempts, last_error) VALUES (" + eventId + ", 5, 'seed') RETURNING 1");
    deliveryId = db.count("INSERT INTO deliveries (destination, event_id, state, attempts, dead_at, last_error)"
        + " VALUES ('gone', " + eventId + ", 'dead', 12, now(), 'seed') RETURNING id");
    quarantinedEventKey = SendGridFixtures.eventId();
    byte[] quarantined = SendGridFixtures.batch(List.of(SendGridFixtures.event(quarantinedEventKey, "bounce", ADDRESS)));
    JsonArray quarantinedHeaders = new JsonArray();
    sendgrid.signedHeaders(quarantined).forEach((name, value) -> quarantinedHeaders.add(new JsonArray().add(name).add(value)));
    quarantineId = db.count("INSERT INTO quarantine (source, provider, reason, received_at, content_type, headers, body)"
        + " VALUES ('" + SOURCE + "', 'sendgrid', 'seed', now(), 'application/json', '" + quarantinedHeaders.encode()
        + "'::jsonb, decode('" + Base64.getEncoder().encodeToString(quarantined) + "', 'base64')) RETURNING id");
    awaitOutboxEmpty();
  }

  @Test
  void everyRouteRefusesEveryWrongAuthorizationWith401AndChangesNothing() {
    List<String> routes = routes();
    assertThat(routes).as("routes of the served OpenAPI document").hasSizeGreaterThanOrEqualTo(15)
        .contains("PUT /suppressions/{address}", "DELETE /suppressions/{address}", "POST /dead/retry",
            "POST /dead/{id}/retry", "POST /quarantine/{id}/reverify");
    Map<String, List<String[]>> wrong = wrongAuthorizations();
    String before = snapshot();

    List<String> failures = new ArrayList<>();
    long refused = 0;
    for (String route : routes) {
      for (String path : paths(route)) {
        String method = route.substring(0, route.indexOf(' '));
        for (Map.Entry<String, List<String[]>> form : wrong.entrySet()) {
          String target = form.getKey().equals("the token as access_token query parameter")
              ? path + (path.contains("?") ? "&" : "?") + "access_token=" + token : path;
          RawHttp.Response response = call(method, "/api/v1" + target, form.getValue(), body(method), true);
          refused++;
          String problem = unauthorizedProblem(response);
          if (problem != null) {
            failures.add(method + " " + path + " with " + form.getKey() + ": " + problem);
          }
        }
      }
    }
    String after = snapshot();

    for (String scheme : List.of("Bearer", "bearer", "BEARER")) {
      assertThat(call("GET", "/api/v1/events/" + eventId, List.<String[]>of(new String[] {"Authorization", scheme + " " + token}),
          new byte[0], true).status()).as("the token with scheme %s", scheme).isEqualTo(200);
    }
    List<String> changedByTheToken = mutateWithTheToken();
    System.out.printf("AdminTokenIT: %d routes, %d wrong Authorization forms, %d requests refused; with the token the same"
        + " routes changed: %s%n", routes.size(), wrong.size(), refused, changedByTheToken);
    ReliabilityReport.record(new ReliabilityReport.Row("admin API: every route x every wrong Authorization form (real jar)", 0,
        requests, oks, 0, 0, 0, refused, fiveXx, 0));

    assertThat(failures).as("requests not refused with a 401 problem document").isEmpty();
    assertThat(after).as("rows after the refused requests").isEqualTo(before);
    assertThat(changedByTheToken).as("what the mutating routes change when the token is right")
        .containsExactlyInAnyOrder("suppression lifted", "suppression added", "parked event retried", "dead delivery retried",
            "quarantined request stored");
    assertThat(fiveXx).as("5xx answers").isZero();
  }

  /** {@code METHOD /path} for every operation of the served OpenAPI document (fetched with the token). */
  private List<String> routes() {
    RawHttp.Response document = call("GET", "/api/v1/openapi.yaml", right(), new byte[0], true);
    assertThat(document.status()).isEqualTo(200);
    // RawHttp reads bytes as ISO-8859-1; the document is UTF-8.
    Map<String, Object> yaml = new Yaml().load(new String(document.body().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), UTF_8));
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) yaml.get("paths");
    TreeSet<String> routes = new TreeSet<>();
    paths.forEach((path, operations) -> operations.keySet().stream()
        .filter(method -> List.of("get", "put", "post", "delete", "patch", "head", "options").contains(method))
        .forEach(method -> routes.add(method.toUpperCase() + " " + path)));
    return List.copyOf(routes);
  }

  /** The concrete paths of a route template: the seeded rows (both kinds of dead item for {@code /dead/{id}}). */
  private List<String> paths(String route) {
    String template = route.substring(route.indexOf(' ') + 1);
    if (template.contains("/dead/{id}")) {
      return List.of(template.replace("{id}", "handler-" + eventId), template.replace("{id}", "delivery-" + deliveryId));
    }
    return List.of(template.replace("/events/{id}", "/events/" + eventId)
        .replace("/quarantine/{id}", "/quarantine/" + quarantineId)
        .replace("{message_id}", messageId).replace("{address}", ADDRESS));
  }

  private static byte[] body(String method) {
    return method.equals("PUT") ? "{\"reason\":\"hard_bounce\",\"note\":\"not allowed\"}".getBytes(UTF_8) : new byte[0];
  }

  /** Every wrong form of the field, by name; each is a list of header fields. */
  private Map<String, List<String[]>> wrongAuthorizations() {
    String wrongToken = randomToken();
    Map<String, List<String[]>> forms = new LinkedHashMap<>();
    forms.put("no Authorization", List.of());
    forms.put("an empty Authorization", authorization(""));
    forms.put("the scheme alone", authorization("Bearer"));
    forms.put("the scheme and a space", authorization("Bearer "));
    forms.put("a wrong token", authorization("Bearer " + wrongToken));
    forms.put("the token and one character more", authorization("Bearer " + token + "x"));
    forms.put("the token less its last character", authorization("Bearer " + token.substring(0, token.length() - 1)));
    forms.put("the token less its first character", authorization("Bearer " + token.substring(1)));
    forms.put("the token's first half", authorization("Bearer " + token.substring(0, token.length() / 2)));
    forms.put("the token with its first character changed", authorization("Bearer " + other(token.charAt(0)) + token.substring(1)));
    forms.put("the token with its last character changed",
        authorization("Bearer " + token.substring(0, token.length() - 1) + other(token.charAt(token.length() - 1))));
    forms.put("the token in another case", authorization("Bearer " + swapCase(token)));
    forms.put("the token with the Basic scheme", authorization("Basic " + token));
    forms.put("the token as a Basic password",
        authorization("Basic " + Base64.getEncoder().encodeToString(("admin:" + token).getBytes(UTF_8))));
    forms.put("the token without a scheme", authorization(token));
    forms.put("the token glued to the scheme", authorization("Bearer" + token));
    forms.put("the token followed by a second credential", authorization("Bearer " + token + ", Bearer " + wrongToken));
    forms.put("the token as access_token query parameter", List.of());
    forms.put("two fields, right then wrong", List.of(field("Bearer " + token), field("Bearer " + wrongToken)));
    forms.put("two fields, wrong then right", List.of(field("Bearer " + wrongToken), field("Bearer " + token)));
    forms.put("two fields, both right", List.of(field("Bearer " + token), field("Bearer " + token)));
    return forms;
  }

  /** Null when the answer is the 401 problem document the API promises, else what is wrong with it. */
  private static String unauthorizedProblem(RawHttp.Response response) {
    if (response.status() != 401) {
      return "status " + response.status() + " " + response.body();
    }
    if (!"application/problem+json".equals(response.headers().get("content-type"))) {
      return "content type " + response.headers().get("content-type");
    }
    if (!response.headers().getOrDefault("www-authenticate", "").startsWith("Bearer")) {
      return "WWW-Authenticate " + response.headers().get("www-authenticate");
    }
    JsonObject problem = new JsonObject(response.body());
    return problem.getInteger("status", 0) == 401 ? null : "body " + response.body();
  }

  /**
   * The rows a mutating route could touch, and the counts it could change, as one text: the
   * suppressions and hand changes of the address, the parked event, the dead delivery, the
   * quarantined request, and the events stored.
   */
  private String snapshot() {
    StringBuilder text = new StringBuilder();
    db.query("SELECT reason, scope, active, count, lifted_at IS NULL FROM suppressions WHERE address = '" + ADDRESS
        + "' ORDER BY reason, scope", rows -> {
          while (rows.next()) {
            text.append("suppression ").append(rows.getString(1)).append(' ').append(rows.getString(2)).append(" active=")
                .append(rows.getBoolean(3)).append(" count=").append(rows.getLong(4)).append(" unlifted=")
                .append(rows.getBoolean(5)).append('\n');
          }
        });
    text.append("hand changes ").append(db.count("SELECT count(*) FROM suppression_changes")).append('\n');
    text.append("parked ").append(db.count("SELECT count(*) FROM handler_dead_events WHERE event_id = " + eventId)).append('\n');
    db.query("SELECT state, attempts FROM deliveries WHERE id = " + deliveryId, rows -> {
      while (rows.next()) {
        text.append("delivery ").append(rows.getString(1)).append(" attempts=").append(rows.getInt(2)).append('\n');
      }
    });
    text.append("quarantined ").append(db.count("SELECT count(*) FROM quarantine WHERE id = " + quarantineId)).append('\n');
    text.append("events ").append(db.count("SELECT count(*) FROM events")).append('\n');
    return text.toString();
  }

  /** The mutating routes with the token, and what each changed. */
  private List<String> mutateWithTheToken() {
    List<String> changed = new ArrayList<>();
    long quarantinedBefore = db.count("SELECT count(*) FROM events WHERE event_key = '" + quarantinedEventKey + "'");
    call("POST", "/api/v1/quarantine/" + quarantineId + "/reverify", right(), new byte[0], true);
    if (db.count("SELECT count(*) FROM quarantine WHERE id = " + quarantineId) == 0
        && db.count("SELECT count(*) FROM events WHERE event_key = '" + quarantinedEventKey + "'") == quarantinedBefore + 1) {
      changed.add("quarantined request stored");
    }
    call("POST", "/api/v1/dead/handler-" + eventId + "/retry", right(), new byte[0], true);
    if (db.count("SELECT count(*) FROM handler_dead_events WHERE event_id = " + eventId) == 0) {
      changed.add("parked event retried");
    }
    call("POST", "/api/v1/dead/retry", right(), new byte[0], true);
    if (db.count("SELECT count(*) FROM deliveries WHERE id = " + deliveryId + " AND state = 'dead'") == 0) {
      changed.add("dead delivery retried");
    }
    call("DELETE", "/api/v1/suppressions/" + ADDRESS, right(), new byte[0], true);
    if (db.count("SELECT count(*) FROM suppressions WHERE address = '" + ADDRESS + "' AND reason = 'complaint' AND active") == 0) {
      changed.add("suppression lifted");
    }
    call("PUT", "/api/v1/suppressions/" + ADDRESS, right(), body("PUT"), true);
    if (db.count("SELECT count(*) FROM suppressions WHERE address = '" + ADDRESS + "' AND reason = 'hard_bounce' AND active") == 1) {
      changed.add("suppression added");
    }
    return changed;
  }

  private RawHttp.Response call(String method, String path, List<String[]> headers, byte[] body, boolean management) {
    List<String[]> all = new ArrayList<>(headers);
    if (body.length > 0 && headers.stream().noneMatch(h -> h[0].equalsIgnoreCase("Content-Type"))) {
      all.add(new String[] {"Content-Type", "application/json"});
    }
    RawHttp.Response response = RawHttp.exchange(management ? gateway.managementPort() : gateway.port(),
        RawHttp.request(method, path, all, body), Duration.ofSeconds(15));
    requests++;
    oks += response.status() / 100 == 2 ? 1 : 0;
    fiveXx += response.status() >= 500 ? 1 : 0;
    return response;
  }

  private void awaitOutboxEmpty() {
    for (int i = 0; i < 300 && db.count("SELECT count(*) FROM outbox") > 0; i++) {
      GatewayProcess.sleep(100);
    }
  }

  private List<String[]> right() {
    return authorization("Bearer " + token);
  }

  private static List<String[]> authorization(String value) {
    return List.<String[]>of(field(value));
  }

  private static String[] field(String value) {
    return new String[] {"Authorization", value};
  }

  private static List<String[]> headers(Map<String, String> headers) {
    return headers.entrySet().stream().map(h -> new String[] {h.getKey(), h.getValue()}).toList();
  }

  private static char other(char c) {
    return c == 'A' ? 'B' : 'A';
  }

  /** Every letter in the other case; the token holds letters, so this is never the token. */
  private static String swapCase(String text) {
    StringBuilder swapped = new StringBuilder();
    for (char c : text.toCharArray()) {
      swapped.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
    }
    return swapped.toString();
  }

  /** 32 random bytes, base64url without padding (43 characters, letters among them). */
  private static String randomToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return token.chars().anyMatch(Character::isLetter) ? token : randomToken();
  }
}
