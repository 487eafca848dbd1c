package io.emailgateway.provider.it;

import static io.emailgateway.provider.it.Signing.hex;
import static io.emailgateway.provider.it.Signing.hmac;
import static io.emailgateway.provider.it.Signing.utf8;

import io.emailgateway.event.EventKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Mailtrap: batches {@code {"events":[…]}} gathered over up to 30 seconds, signed with
 * {@code Mailtrap-Signature} = hex HMAC-SHA256 of the raw body under the webhook's signing secret.
 */
class MailtrapWebhookIT extends ProviderWebhookContract {
  private final String secret = Signing.randomHex(16);

  @Override
  protected String provider() {
    return "mailtrap";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("signing_secrets", new JsonArray().add(secret));
  }

  /** Six message events and one account notice. */
  @Override
  protected WebhookPost genuineRequest() {
    return signed(secret, fixtureBody("mailtrap/gateway_json_batch.json"));
  }

  @Override
  protected List<Expected> expectedEvents() {
    JsonArray events = new JsonObject(genuineRequest().text()).getJsonArray("events");
    String message = "\"recipient\":\"receiver@example.com\",\"message_id\":\"1df37d17-0286-4d8b-8edf-bc4ec5be86e6\","
        + "\"occurred_at\":\"2024-10-11T18:01:40.000Z\"";
    return List.of(
        expected("e-1", events.getJsonObject(0), "{\"type\":\"delivered\",\"tags\":[\"Password reset\"],"
            + "\"metadata\":{\"user_id\":\"123\",\"attempt\":2,\"vip\":true}," + message + "}"),
        expected("e-2", events.getJsonObject(1), "{\"type\":\"bounced\",\"bounce_type\":\"hard\",\"reject_reason\":\"bounced\","
            + "\"mta_response\":\"[CS01] Message rejected due to local policy\"," + message + "}"),
        expected("e-3", events.getJsonObject(2), "{\"type\":\"deferred\",\"bounce_type\":null,\"reject_reason\":\"other\"}"),
        expected("e-4", events.getJsonObject(3), "{\"type\":\"deferred\",\"reject_reason\":\"other\","
            + "\"description\":\"Your account has reached its daily sending limit.\"}"),
        expected("e-5", events.getJsonObject(4), "{\"type\":\"rejected\",\"reject_reason\":\"blocked\"}"),
        expected("e-6", events.getJsonObject(5), "{\"type\":\"unsubscribed\",\"ip\":\"127.138.158.185\"}"),
        expected(EventKeys.contentHash(events.getJsonObject(6)), events.getJsonObject(6),
            "{\"type\":\"unknown\",\"recipient\":null,\"occurred_at\":\"2025-01-02T15:02:18.000Z\"}"));
  }

  @Override
  protected WebhookPost otherRequest() {
    return signed(secret, fixtureBody("mailtrap/test_bounce_event.json"));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    return List.of(
        forgery("signed with another secret", signed(Signing.randomHex(16), other.text())),
        forgery("body changed after signing", other.withBody(other.text().replace("\"bounce\"", "\"delivery\""))),
        forgery("no signature", other.withoutHeader("Mailtrap-Signature")));
  }

  private static WebhookPost signed(String secret, String body) {
    return WebhookPost.of("application/json", body)
        .withHeader("Mailtrap-Signature", hex(hmac("HmacSHA256", utf8(secret), utf8(body))));
  }
}
