package io.emailgateway.provider.it;

import static io.emailgateway.provider.it.Signing.basic;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Postmark: one JSON record per request, authenticated only by the basic-auth credentials written
 * into the webhook URL ({@code https://user:pass@HOST/webhooks/postmark}).
 */
class PostmarkWebhookIT extends ProviderWebhookContract {
  private final String password = Signing.randomHex(16);

  @Override
  protected String provider() {
    return "postmark";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("basic_auth", new JsonArray()
        .add(new JsonObject().put("username", "postmark").put("password", password)));
  }

  /** Postmark's hard-bounce example. */
  @Override
  protected WebhookPost genuineRequest() {
    return WebhookPost.of("application/json", fixtureBody("postmark/test_bounce_event.json"))
        .withHeader("Authorization", basic("postmark", password));
  }

  @Override
  protected List<Expected> expectedEvents() {
    return List.of(expected("901542550", new JsonObject(genuineRequest().text()), """
        {"type":"bounced","bounce_type":"hard","reject_reason":"bounced","recipient":"bounce@example.com",
         "message_id":"2706ee8a-737c-4285-b032-ccd317af53ed","occurred_at":"2016-04-27T20:28:50.396Z",
         "sender":"sender@example.com","subject":"Postmark event test",
         "mta_response":"smtp;550 5.1.1 The email account that you tried to reach does not exist.",
         "description":"The server was unable to deliver your message (ex: unknown user, mailbox not found)."}"""));
  }

  /** A delivery record: Postmark gives it no id, so its key is the hash of the record. */
  @Override
  protected WebhookPost otherRequest() {
    return WebhookPost.of("application/json", fixtureBody("postmark/test_delivered_event.json"))
        .withHeader("Authorization", basic("postmark", password));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    return List.of(
        forgery("wrong password", other.withHeader("Authorization", basic("postmark", "guessed"))),
        forgery("another user with the right password", other.withHeader("Authorization", basic("admin", password))),
        forgery("no credentials", other.withoutHeader("Authorization")));
  }
}
