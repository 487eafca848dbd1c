package io.emailgateway.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.provider.ConformanceCorpus;
import io.emailgateway.provider.EspSigners;
import io.emailgateway.provider.HostileValues;
import io.emailgateway.testing.ReliabilityReport;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The hostile corpus over the real HTTP port, for every provider: empty, truncated and non-JSON
 * bodies, invalid UTF-8, nesting 10,000 deep (and 900 deep inside a field), huge numbers and
 * strings, wrong top-level types, oversized bodies (declared and chunked without length), wrong,
 * missing and duplicated headers, broken chunked encoding — each signed as the ESP signs, so it
 * reaches the parser. Every one is answered (a refusal arrives as a response, never a reset) with
 * a 4xx, or — for a well-formed body whose oddities a lenient provider stores as {@code unknown} by
 * design — a 200; never a 5xx, never a hang. What must be refused stores nothing. Afterwards the
 * gateway is healthy and takes a genuine request of every provider.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputIT {
  static final int MAX_BODY = 1024 * 1024;
  private static final Duration ANSWER_LIMIT = Duration.ofSeconds(10);
  private Vertx vertx;
  private EspSigners signers;
  private TestDatabase db;
  private TestGateway gateway;
  /** Source ids unique to this run: replay caches and rate limits live in the shared Redis. */
  private final String run = "-" + java.util.UUID.randomUUID().toString().substring(0, 8);

  /**
   * What a case must get: a 4xx and nothing stored; anything but a 5xx; or, for a body whose HTTP
   * framing is broken (the server cannot know where the request ends, RFC 9112 §7.1), a 4xx or the
   * connection closed at once — nothing stored either way.
   */
  enum Expect { REFUSED, NOT_5XX, FRAMING_ERROR }

  record Case(String provider, String name, byte[] request, Expect expect) {}

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    signers = EspSigners.create(vertx, Files.createTempDirectory("hostile"));
    db = new TestDatabase(getClass());
    JsonArray sources = new JsonArray();
    signers.all().forEach(signer -> sources.add(signer.source(signer.provider() + run)));
    gateway = TestGateway.start(db.uri(), sources, new JsonObject()
        .put("http", new JsonObject().put("max_body_bytes", MAX_BODY).put("request_timeout", "2s")));
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    db.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void everyHostileRequestIsAnsweredWithA4xxOrStoredNeverA5xxOrAHang() {
    List<String> failures = new ArrayList<>();
    long tried = 0;
    long fiveXx = 0;
    long fiveHundreds = 0;
    for (EspSigners.Signer signer : signers.all()) {
      for (Case hostile : cases(signer)) {
        tried++;
        long before = stored(signer.provider() + run);
        long started = System.nanoTime();
        RawHttp.Response response = RawHttp.exchange(gateway.port(), hostile.request(), ANSWER_LIMIT);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        if (took.toMillis() > 500) {
          System.out.printf("HostileInputIT: %s / %s took %d ms (%d)%n", hostile.provider(), hostile.name(), took.toMillis(),
              response.status());
        }
        int status = response.status();
        fiveXx += status >= 500 ? 1 : 0;
        fiveHundreds += status == 500 ? 1 : 0;
        boolean refused = status >= 400 && status < 500
            || hostile.expect() == Expect.FRAMING_ERROR && status == RawHttp.NO_ANSWER;
        boolean answered = status > 0 && status < 500 || refused;
        boolean ok = answered && took.compareTo(ANSWER_LIMIT) < 0
            && (hostile.expect() == Expect.NOT_5XX || refused && stored(signer.provider() + run) == before);
        if (!ok) {
          failures.add(hostile.provider() + " / " + hostile.name() + ": " + status + " after " + took.toMillis() + " ms "
              + response.body() + " (stored " + before + " → " + stored(signer.provider() + run) + ")");
        }
      }
    }
    ReliabilityReport.record(new ReliabilityReport.Row("hostile HTTP corpus, all 14 providers (in-process gateway)", 0,
        tried, 0, 0, 0, 0, tried, fiveXx, fiveHundreds));
    assertThat(failures).as("hostile requests answered wrongly").isEmpty();
    assertHealthyAndAcceptingEveryProvider();
  }

  /**
   * Slowloris: senders that trickle their request head, or their body, one byte every 200 ms.
   * Genuine requests are served meanwhile; each slow sender is cut off at {@code request_timeout}
   * (2 s here): the body trickler with a 408, the head trickler by closing its connection.
   */
  @Test
  void slowSendersAreCutOffAtTheRequestTimeoutWhileOthersAreServed() throws Exception {
    EspSigners.Signer postmark = signers.of("postmark");
    EspSigners.Signed genuine = postmark.sign(acceptedFixture("postmark").body());
    int count = Faults.slowSenders();
    List<SlowSender> slow = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] head = i % 2 == 0
          ? utf8("POST /webhooks/postmark HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "a".repeat(4000))
          : utf8(headText("/webhooks/postmark" + run, genuine, "Content-Length: 1000\r\n") + "{");
      slow.add(SlowSender.start(gateway.port(), head, i % 2 == 0));
    }
    List<Integer> genuineStatuses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      EspSigners.Signed fresh = postmark.sign(acceptedFixture("postmark").body());
      long started = System.nanoTime();
      genuineStatuses.add(RawHttp.exchange(gateway.port(), RawHttp.post("/webhooks/postmark" + run, fresh.httpHeaders(),
          fresh.body()), ANSWER_LIMIT).status());
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a genuine request among slow senders").isLessThan(Duration.ofSeconds(2));
    }
    assertThat(genuineStatuses).containsOnly(200);
    for (SlowSender sender : slow) {
      SlowSender.Outcome outcome = sender.await(Duration.ofSeconds(15));
      assertThat(outcome.took()).as("slow sender cut off (%s)", outcome).isLessThan(Duration.ofSeconds(8));
      if (sender.tricklesHead()) {
        assertThat(outcome.status()).as("head trickler: connection closed").isEqualTo(RawHttp.NO_ANSWER);
      } else {
        assertThat(outcome.status()).as("body trickler: 408").isEqualTo(408);
      }
    }
    ReliabilityReport.record(new ReliabilityReport.Row("slowloris: senders trickling head or body (in-process gateway)", count,
        count + 10, genuineStatuses.size(), 0, 0, 0, count, 0, 0));
  }

  private void assertHealthyAndAcceptingEveryProvider() {
    assertThat(io.emailgateway.testing.Http.get(gateway.managementPort(), "/health/ready").statusCode()).isEqualTo(200);
    for (EspSigners.Signer signer : signers.all()) {
      ConformanceCorpus.Case genuine = acceptedFixture(signer.provider());
      EspSigners.Signed signed = signer.sign(genuine.contentType(), genuine.headers(), genuine.body());
      RawHttp.Response response = RawHttp.exchange(gateway.port(), RawHttp.post("/webhooks/" + signer.provider() + run,
          signed.httpHeaders(), signed.body()), ANSWER_LIMIT);
      assertThat(response.status()).as("%s genuine request after the corpus: %s", signer.provider(), response.body())
          .isEqualTo(200);
    }
  }

  private ConformanceCorpus.Case acceptedFixture(String provider) {
    return Fixtures.accepted(signers, provider);
  }

  private long stored(String source) {
    return db.count("SELECT count(*) FROM events WHERE source = '" + source + "'");
  }

  private List<Case> cases(EspSigners.Signer signer) {
    String provider = signer.provider();
    String path = "/webhooks/" + provider + run;
    List<Case> cases = new ArrayList<>();
    ConformanceCorpus.Case fixture = acceptedFixture(provider);
    byte[] body = fixture.body();
    EspSigners.Signed genuine = signer.sign(fixture.contentType(), fixture.headers(), body);

    refused(cases, signer, "empty body", signer.sign(new byte[0]));
    refused(cases, signer, "truncated fixture",
        signer.sign(fixture.contentType(), fixture.headers(), java.util.Arrays.copyOf(body, body.length / 2)));
    refused(cases, signer, "not JSON", signer.wrap(utf8("this is not json")));
    refused(cases, signer, "10,000 nested arrays", signer.wrap(utf8(HostileValues.deepArrayText(10_000))));
    refused(cases, signer, "10,000 nested objects", signer.wrap(utf8("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000))));
    refused(cases, signer, "900 nested inside an event",
        signer.wrap(utf8("[{\"event\":\"delivered\",\"x\":" + HostileValues.deepArrayText(HostileValues.DEEP) + "}]")));
    refused(cases, signer, "no credentials", new EspSigners.Signed(signer.contentType(), Map.of(), body, List.of()));
    refused(cases, signer, "oversized body", signer.sign(new byte[MAX_BODY + 1]));
    refused(cases, signer, "wrong content type", new EspSigners.Signed("image/png", genuine.headers(), body, List.of()));
    cases.add(new Case(provider, "declared length over the limit", head(path, genuine,
        Map.of("Content-Length", Integer.toString(MAX_BODY * 2))), Expect.REFUSED));
    cases.add(new Case(provider, "two different Content-Length", RawHttp.concat(utf8(headText(path, genuine,
        "Content-Length: " + genuine.body().length + "\r\nContent-Length: 3\r\n")), genuine.body()), Expect.REFUSED));
    cases.add(new Case(provider, "Content-Type twice, image/png first", RawHttp.concat(utf8(headText(path, genuine,
        "Content-Type: image/png\r\nContent-Length: " + genuine.body().length + "\r\n", "Content-Type")), genuine.body()),
        Expect.REFUSED));
    cases.add(new Case(provider, "credential headers twice, garbage first", duplicatedCredentials(path, genuine), Expect.NOT_5XX));
    cases.add(new Case(provider, "chunked over the limit, no length", chunked(path, genuine, new byte[MAX_BODY + 4096]),
        Expect.REFUSED));
    cases.add(new Case(provider, "malformed chunk size", RawHttp.concat(utf8(headText(path, genuine,
        "Transfer-Encoding: chunked\r\n")), utf8("zz\r\nabc\r\n0\r\n\r\n")), Expect.FRAMING_ERROR));
    cases.add(new Case(provider, "chunked genuine request", chunked(path, genuine, genuine.body()), Expect.NOT_5XX));

    lenient(cases, signer, "invalid UTF-8", signer.wrap(RawHttp.concat(utf8("[{\"event\":\"delivered\",\"email\":\""),
        new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, '"', '}', ']'})));
    lenient(cases, signer, "huge numbers in time fields", signer.wrap(utf8("[{\"event\":\"delivered\",\"timestamp\":1e999999,"
        + "\"time\":1e999999,\"ts\":99999999999999999999999999999999,\"created_at\":1e999999}]")));
    lenient(cases, signer, "exponent strings in time fields", signer.wrap(utf8("[{\"event\":\"delivered\",\"timestamp\":"
        + "\"1e99999999\",\"time\":\"1e99999999\",\"ts\":\"1e99999999\",\"ts_epoch\":\"1e99999999\",\"s_epoch\":\"1e99999999\"}]")));
    lenient(cases, signer, "512 KiB string", signer.wrap(utf8("[{\"event\":\"delivered\",\"sg_event_id\":\""
        + HostileValues.randomText(512 * 1024, 7) + "\",\"email\":\"" + HostileValues.randomText(4000, 8) + "\"}]")));
    for (String wrongType : List.of("[1,2,3]", "\"a string\"", "null", "true", "{}", "[]", "[[],{}]")) {
      lenient(cases, signer, "top level " + wrongType, signer.wrap(utf8(wrongType)));
    }
    return cases;
  }

  private void refused(List<Case> cases, EspSigners.Signer signer, String name, EspSigners.Signed signed) {
    cases.add(new Case(signer.provider(), name, RawHttp.post("/webhooks/" + signer.provider() + run, signed.httpHeaders(), signed.body()),
        Expect.REFUSED));
  }

  private void lenient(List<Case> cases, EspSigners.Signer signer, String name, EspSigners.Signed signed) {
    cases.add(new Case(signer.provider(), name, RawHttp.post("/webhooks/" + signer.provider() + run, signed.httpHeaders(), signed.body()),
        Expect.NOT_5XX));
  }

  /** The request head of {@code signed} with {@code extra} lines, leaving out headers named in {@code skip}. */
  private static String headText(String path, EspSigners.Signed signed, String extra, String... skip) {
    StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    signed.httpHeaders().forEach((name, value) -> {
      if (!List.of(skip).contains(name)) {
        head.append(name).append(": ").append(value).append("\r\n");
      }
    });
    return head.append(extra).append("\r\n").toString();
  }

  private static byte[] head(String path, EspSigners.Signed signed, Map<String, String> extra) {
    StringBuilder lines = new StringBuilder();
    extra.forEach((name, value) -> lines.append(name).append(": ").append(value).append("\r\n"));
    return RawHttp.concat(utf8(headText(path, signed, lines.toString())), signed.body());
  }

  private static byte[] chunked(String path, EspSigners.Signed signed, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(utf8(headText(path, signed, "Transfer-Encoding: chunked\r\n")));
    for (int at = 0; at < body.length; at += 8192) {
      int size = Math.min(8192, body.length - at);
      out.writeBytes(utf8(Integer.toHexString(size) + "\r\n"));
      out.write(body, at, size);
      out.writeBytes(utf8("\r\n"));
    }
    out.writeBytes(utf8("0\r\n\r\n"));
    return out.toByteArray();
  }

  /** Every credential header of the request sent twice, a garbage value first. */
  private static byte[] duplicatedCredentials(String path, EspSigners.Signed signed) {
    StringBuilder extra = new StringBuilder("Content-Length: " + signed.body().length + "\r\n");
    Map<String, String> garbage = new LinkedHashMap<>();
    signed.headers().forEach((name, value) -> garbage.put(name, "garbage-" + value.length()));
    StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
        .append("Content-Type: ").append(signed.contentType()).append("\r\n");
    garbage.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    signed.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append(extra).append("\r\n");
    return RawHttp.concat(utf8(head.toString()), signed.body());
  }

  static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }
}
