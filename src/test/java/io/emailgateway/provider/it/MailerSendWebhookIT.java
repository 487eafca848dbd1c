package io.emailgateway.provider.it;

import static io.emailgateway.provider.it.Signing.hex;
import static io.emailgateway.provider.it.Signing.hmac;
import static io.emailgateway.provider.it.Signing.utf8;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * MailerSend activity webhooks: one JSON activity per request (every {@code /} escaped as
 * {@code \/}), with {@code Signature} = hex HMAC-SHA256 of the raw body under the webhook's
 * signing secret.
 */
class MailerSendWebhookIT extends ProviderWebhookContract {
  private final String secret = Signing.randomHex(16);

  @Override
  protected String provider() {
    return "mailersend";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("signing_secrets", new JsonArray().add(secret));
  }

  @Override
  protected WebhookPost genuineRequest() {
    return signed(secret, fixtureBody("mailersend/test_hard_bounced_event.json"));
  }

  @Override
  protected List<Expected> expectedEvents() {
    return List.of(expected("63fd251d5c00f8e52001fce6", new JsonObject(genuineRequest().text()), """
        {"type":"bounced","bounce_type":"hard","reject_reason":"bounced","recipient":"invalid@example.com",
         "message_id":"63fd25194d5edba3da09e044","occurred_at":"2023-02-27T21:48:13.593Z",
         "description":"Host or domain name not found"}"""));
  }

  @Override
  protected WebhookPost otherRequest() {
    return signed(secret, fixtureBody("mailersend/test_delivered_event.json"));
  }

  @Override
  protected List<Expected> expectedEventsOfOther() {
    return List.of(expected("63fd1c1fcfbe46145d003a7b", new JsonObject(otherRequest().text()), """
        {"type":"delivered","recipient":"recipient@example.com","message_id":"63fd1c1d5f010335ed07066b",
         "occurred_at":"2023-02-27T21:09:51.865Z","bounce_type":null}"""));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    return List.of(
        forgery("signed with another secret", signed(Signing.randomHex(16), other.text())),
        forgery("body changed after signing", other.withBody(other.text().replace("delivered", "spam_complaint"))),
        forgery("no signature", other.withoutHeader("Signature")));
  }

  private static WebhookPost signed(String secret, String body) {
    return WebhookPost.of("application/json", body).withHeader("User-Agent", "MailerSend-Webhook")
        .withHeader("Signature", hex(hmac("HmacSHA256", utf8(secret), utf8(body))));
  }
}
