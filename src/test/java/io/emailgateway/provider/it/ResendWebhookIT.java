package io.emailgateway.provider.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Resend, delivered by Svix: one JSON event per request with {@code svix-id},
 * {@code svix-timestamp} and {@code svix-signature} ({@code v1,} + base64 HMAC-SHA256 of
 * {@code id.timestamp.body} under the {@code whsec_} signing secret). Svix signs each attempt
 * afresh, so a request older than five minutes is refused.
 */
class ResendWebhookIT extends ProviderWebhookContract {
  private final String secret = Signing.whsecSecret();
  private final String genuineId = "msg_" + Signing.randomHex(12);
  private final String otherId = "msg_" + Signing.randomHex(12);

  @Override
  protected String provider() {
    return "resend";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("signing_secrets", new JsonArray().add(secret));
  }

  /** Resend's email.bounced example. */
  @Override
  protected WebhookPost genuineRequest() {
    return signed(secret, genuineId, now(), fixtureBody("resend/test_hard_bounced_event.json"));
  }

  @Override
  protected List<Expected> expectedEvents() {
    return List.of(expected(genuineId, new JsonObject(genuineRequest().text()), """
        {"type":"bounced","bounce_type":"hard","reject_reason":"bounced","recipient":"bounced@resend.dev",
         "message_id":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","occurred_at":"2023-10-02T18:11:26.101Z",
         "sender":"from@example.com","subject":"Sending test","tags":[],"metadata":{},
         "description":"The recipient's email provider sent a hard bounce message, but didn't specify the reason for the hard bounce. We recommend removing the recipient's email address from your mailing list. Sending messages to addresses that produce hard bounces can have a negative impact on your reputation as a sender."}"""));
  }

  @Override
  protected WebhookPost otherRequest() {
    return signed(secret, otherId, now(), fixtureBody("resend/test_delivered_event.json"));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    String body = other.text();
    return List.of(
        forgery("signed with another secret", signed(Signing.whsecSecret(), otherId, now(), body)),
        forgery("body changed after signing", other.withBody(body.replace("email.delivered", "email.complained"))),
        forgery("message id changed after signing", other.withHeader("svix-id", "msg_" + Signing.randomHex(12))),
        forgery("signed ten minutes ago", signed(secret, otherId, now() - 600, body)),
        forgery("no signature headers", other.withoutHeader("svix-id").withoutHeader("svix-timestamp").withoutHeader("svix-signature")));
  }

  private static WebhookPost signed(String secret, String id, long timestamp, String body) {
    WebhookPost unsigned = WebhookPost.of("application/json", body);
    return unsigned.withHeader("svix-id", id).withHeader("svix-timestamp", Long.toString(timestamp))
        .withHeader("svix-signature", Signing.standardWebhooksSignature(secret, id, timestamp, unsigned.body()));
  }
}
