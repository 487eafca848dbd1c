package io.emailgateway.provider.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Standard Webhooks senders, such as another gateway forwarding its normalized events: the body is
 * a normalized event (or an array of them), signed with {@code webhook-id},
 * {@code webhook-timestamp} and {@code webhook-signature} under a {@code whsec_} secret.
 */
class StandardWebhookIT extends ProviderWebhookContract {
  private final String secret = Signing.whsecSecret();
  private final String genuineId = "msg_" + Signing.randomHex(12);
  private final String otherId = "msg_" + Signing.randomHex(12);

  @Override
  protected String provider() {
    return "standard";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("signing_secrets", new JsonArray().add(secret));
  }

  /** One bounce as a gateway forwards it. */
  @Override
  protected WebhookPost genuineRequest() {
    return signed(secret, genuineId, now(), fixtureBody("standard/gateway_single_forwarded_event.json"));
  }

  @Override
  protected List<Expected> expectedEvents() {
    return List.of(expected("ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA", new JsonObject(genuineRequest().text()), """
        {"type":"bounced","bounce_type":"hard","reject_reason":"bounced","recipient":"hello@world.com",
         "message_id":"LRzXl_NHStOGhQ4kofSm_A","occurred_at":"2020-09-14T19:41:32.000Z","tags":["welcome"],
         "metadata":{"user_id":"42"},"mta_response":"550 5.1.1 no such user","description":"Bounced Address"}"""));
  }

  /** Two events without their own keys: each is keyed by the webhook id and its position. */
  @Override
  protected WebhookPost otherRequest() {
    return signed(secret, otherId, now(), fixtureBody("standard/gateway_array_without_event_keys.json"));
  }

  @Override
  protected List<Expected> expectedEventsOfOther() {
    JsonArray events = new JsonArray(otherRequest().text());
    return List.of(
        expected(otherId + ":0", events.getJsonObject(0), """
            {"type":"delivered","recipient":"a@example.com","message_id":"m-1","occurred_at":"2024-05-01T10:00:00.000Z"}"""),
        expected(otherId + ":1", events.getJsonObject(1), """
            {"type":"clicked","click_url":"https://example.com/x","ip":"203.0.113.9","occurred_at":"2024-05-01T10:05:00.250Z"}"""));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    String body = other.text();
    return List.of(
        forgery("signed with another secret", signed(Signing.whsecSecret(), otherId, now(), body)),
        forgery("body changed after signing", other.withBody(body.replace("delivered", "bounced"))),
        forgery("timestamp changed after signing", other.withHeader("webhook-timestamp",
            Long.toString(Long.parseLong(other.headers().get("webhook-timestamp")) - 1))),
        forgery("signed ten minutes ago", signed(secret, otherId, now() - 600, body)),
        forgery("no signature", other.withoutHeader("webhook-signature")));
  }

  private static WebhookPost signed(String secret, String id, long timestamp, String body) {
    WebhookPost unsigned = WebhookPost.of("application/json", body);
    return unsigned.withHeader("webhook-id", id).withHeader("webhook-timestamp", Long.toString(timestamp))
        .withHeader("webhook-signature", Signing.standardWebhooksSignature(secret, id, timestamp, unsigned.body()));
  }
}
