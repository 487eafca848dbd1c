package io.emailgateway.provider.it;

import static io.emailgateway.provider.it.Signing.base64;
import static io.emailgateway.provider.it.Signing.hmac;
import static io.emailgateway.provider.it.Signing.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.EventKeys;
import io.emailgateway.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Mandrill: a form POST whose one field {@code mandrill_events} is a JSON array of events, signed
 * with {@code X-Mandrill-Signature} = base64 HMAC-SHA1 under the webhook key over the URL as
 * configured at Mandrill followed by each field name and decoded value.
 */
class MandrillWebhookIT extends ProviderWebhookContract {
  private static final String URL = "https://hooks.example.com/webhooks/mandrill";
  private static final String FORM = "application/x-www-form-urlencoded";
  private final String webhookKey = Signing.randomHex(11);

  @Override
  protected String provider() {
    return "mandrill";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("webhook_keys", new JsonArray().add(webhookKey)).put("webhook_url", URL);
  }

  /** A batch of three events about one message: send, open, click. */
  @Override
  protected WebhookPost genuineRequest() {
    return signed(fixtureBody("mandrill/test_batch_of_several_events.json"), webhookKey, URL);
  }

  @Override
  protected List<Expected> expectedEvents() {
    JsonArray events = events(genuineRequest());
    return List.of(
        expected(key(events.getJsonObject(0)), events.getJsonObject(0), """
            {"type":"sent","recipient":"recipient@example.com","message_id":"abcdef012345789abcdef012345789",
             "occurred_at":"2016-04-19T19:46:51.000Z","sender":"sender@example.com","subject":"Webhook Test",
             "tags":["tag1"],"metadata":{"user_id":"7"}}"""),
        expected(key(events.getJsonObject(1)), events.getJsonObject(1), """
            {"type":"opened","recipient":"recipient@example.com","occurred_at":"2016-04-19T19:47:22.000Z","ip":"192.0.2.1"}"""),
        expected(key(events.getJsonObject(2)), events.getJsonObject(2), """
            {"type":"clicked","occurred_at":"2016-04-19T19:47:26.000Z","click_url":"http://example.com/a"}"""));
  }

  @Override
  protected WebhookPost otherRequest() {
    return signed(fixtureBody("mandrill/test_hard_bounce_event.json"), webhookKey, URL);
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    String body = other.text();
    return List.of(
        forgery("signed with another key", signed(body, Signing.randomHex(11), URL)),
        forgery("signed for another URL", signed(body, webhookKey, "https://hooks.example.com/webhooks/other")),
        forgery("body changed after signing", other.withBody(body.replace("hard_bounce", "soft_bounce"))),
        forgery("signed with Mandrill's URL-check key", signed(body, "test-webhook", URL)),
        forgery("no signature", other.withoutHeader("X-Mandrill-Signature")));
  }

  @Test
  @Order(4)
  void urlChecksOfANewWebhookAnswer200() {
    assertThat(Http.head(gateway.port(), "/webhooks/mandrill").statusCode()).isEqualTo(200);
    WebhookPost emptyBatch = signed("mandrill_events=" + URLEncoder.encode("[]", StandardCharsets.UTF_8), "test-webhook", URL);

    assertAnswer(post(emptyBatch), 0, 0);
  }

  /** Mandrill's key: the hash of the event without its {@code msg} snapshot (see MandrillProvider). */
  private static String key(JsonObject event) {
    JsonObject withoutMsg = event.copy();
    withoutMsg.remove("msg");
    return EventKeys.contentHash(withoutMsg);
  }

  private static JsonArray events(WebhookPost request) {
    return new JsonArray(URLDecoder.decode(request.text().substring("mandrill_events=".length()), StandardCharsets.UTF_8));
  }

  private static WebhookPost signed(String form, String key, String url) {
    String value = URLDecoder.decode(form.substring("mandrill_events=".length()), StandardCharsets.UTF_8);
    String signature = base64(hmac("HmacSHA1", utf8(key), utf8(url + "mandrill_events" + value)));
    return WebhookPost.of(FORM, form).withHeader("User-Agent", "Mandrill-Webhook/1.0").withHeader("X-Mandrill-Signature", signature);
  }
}
