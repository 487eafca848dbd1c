package io.emailgateway.provider.it;

import static io.emailgateway.provider.it.Signing.hex;
import static io.emailgateway.provider.it.Signing.hmac;
import static io.emailgateway.provider.it.Signing.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Mailgun's current webhooks: one JSON event per request, {@code {"signature":{timestamp, token,
 * signature}, "event-data":{…}}}, the signature being hex HMAC-SHA256 of timestamp + token under
 * the HTTP webhook signing key. The test signs fresh tokens with a key it generated.
 */
class MailgunWebhookIT extends ProviderWebhookContract {
  private final String signingKey = Signing.randomHex(16);
  private final String genuineToken = Signing.randomHex(25);
  private final String genuineTimestamp = Long.toString(now());
  private final String otherToken = Signing.randomHex(25);

  @Override
  protected String provider() {
    return "mailgun";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("signing_keys", new JsonArray().add(signingKey));
  }

  /** A permanent failure as anymail's test posts it (Mailgun's documented payload). */
  @Override
  protected WebhookPost genuineRequest() {
    String body = resigned(fixtureBody("mailgun/test_failed_permanent_event.json"),
        "1234567890abcdef1234567890abcdef", "1534110422", "29f11a17b37259d4b700f02f1eaeba94f9ab8e858f6661bc500f54433322b333",
        signingKey, genuineToken, genuineTimestamp);
    return WebhookPost.of("application/json", body);
  }

  @Override
  protected List<Expected> expectedEvents() {
    return List.of(expected(genuineToken, new JsonObject(genuineRequest().text()), """
        {"type":"bounced","bounce_type":"hard","reject_reason":"bounced","recipient":"invalid@example.com",
         "message_id":"<20180812214658.1.0DF563D0B3597700@example.org>","occurred_at":"2018-08-12T21:47:02.389Z",
         "mta_response":"5.1.1 The email account that you tried to reach does not exist. Please try\\n5.1.1 double-checking the recipient's email address for typos"}"""));
  }

  /** The delivered event of Symfony's Mailgun fixture, Mailgun's pretty-printed bytes, under a fresh token. */
  @Override
  protected WebhookPost otherRequest() {
    return WebhookPost.of("application/json", deliveredSignedWith(signingKey, otherToken));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    return List.of(
        forgery("signed with another key", WebhookPost.of("application/json", deliveredSignedWith(Signing.randomHex(16), otherToken))),
        forgery("signed timestamp changed", other.withBody(other.text().replaceFirst("\"timestamp\": \"(\\d+)\"", "\"timestamp\": \"1$1\""))),
        forgery("no signature block", other.withBody(new JsonObject(other.text()).put("signature", new JsonObject()).encode())));
  }

  /**
   * Mailgun signs only timestamp + token, so a captured signature block can be put on a forged
   * event; the token is the event key, so such a request is a duplicate and stores nothing.
   */
  @Test
  @Order(4)
  void capturedSignatureOnAnotherEventIsADuplicateAndStoresNothing() {
    String token = Signing.randomHex(25);
    WebhookPost captured = WebhookPost.of("application/json", deliveredSignedWith(signingKey, token));
    assertAnswer(post(captured), 1, 0);
    long stored = storedCount();
    JsonObject forged = new JsonObject(captured.text());
    forged.getJsonObject("event-data").put("event", "complained").put("recipient", "victim@example.com");

    assertAnswer(post(WebhookPost.of("application/json", forged.encode())), 0, 1);

    assertThat(storedCount()).isEqualTo(stored);
    assertThat(db.count("SELECT count(*) FROM events WHERE recipient = 'victim@example.com'")).isZero();
  }

  /** Legacy webhooks: a multipart form post, the bounced message attached as a file part. */
  @Test
  @Order(5)
  void legacyMultipartFormPostIsVerifiedAndStored() {
    String token = Signing.randomHex(25);
    String body = resigned(fixtureBody("mailgun/legacy_multipart_bounced_with_attachment.json"),
        "a3fe1fa1640349ac552b84ddde373014b4c41645830c8dd3fc", "1461261330",
        "951d655362eac0cf4720a2ae1554600f21257f5da5aa021f6b04b9f9a62b82a5", signingKey, token, "1461261330");
    WebhookPost legacy = WebhookPost.of("multipart/form-data; boundary=----gatewayboundary7MA4YWxkTrZu0gW", body);

    assertAnswer(post(legacy), 1, 0);

    JsonObject row = storedRowsByKey().get(token);
    assertThat(row.getString("type")).isEqualTo("bounced");
    assertThat(row.getString("bounce_type")).isEqualTo("hard");
    assertThat(row.getString("recipient")).isEqualTo("bounce@example.com");
    assertThat(row.getString("message_id")).isEqualTo("<20160421180324.70521.79375.96884DDB@example.com>");
    assertThat(row.getString("occurred_at")).isEqualTo("2016-04-21T17:55:30.000Z");
    assertThat(row.getJsonObject("metadata")).isEqualTo(new JsonObject().put("user_id", "123"));
    assertRefusedStoringNothing(legacy.withBody(body.replace(token, Signing.randomHex(25))));
  }

  private String deliveredSignedWith(String key, String token) {
    String body = new String(resource("vectors/mailgun_delivered.body"), StandardCharsets.UTF_8);
    return resigned(body, "d1931d9645b65e60f6fddf94448e982ff8db9256144a7fcb15", "1661621787",
        "1aed11dcc25700d6b75f9a6d568343ea02ecdd3fc89cc3209e2883a19e5cdd50", key, token, Long.toString(now()));
  }

  /** The body with its signature block's values replaced by a fresh token signed with {@code key}. */
  private static String resigned(String body, String oldToken, String oldTimestamp, String oldSignature,
      String key, String token, String timestamp) {
    String signature = hex(hmac("HmacSHA256", utf8(key), utf8(timestamp + token)));
    return body.replace(oldToken, token).replace("\"" + oldTimestamp + "\"", "\"" + timestamp + "\"")
        .replace(oldSignature, signature);
  }
}
