package io.emailgateway.provider.it;

import static io.emailgateway.provider.it.Signing.basic;

import io.emailgateway.event.EventKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Brevo transactional webhooks: one event object per request, or a JSON array when the webhook
 * was created with {@code batched: true}. Brevo signs nothing; it sends basic auth from the URL or
 * a bearer token set on the webhook, and both are configured here. No event id: keys are hashes.
 */
class BrevoWebhookIT extends ProviderWebhookContract {
  private final String password = Signing.randomHex(16);
  private final String token = Signing.randomHex(20);

  @Override
  protected String provider() {
    return "brevo";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject()
        .put("basic_auth", new JsonArray().add(new JsonObject().put("username", "brevo").put("password", password)))
        .put("bearer_tokens", new JsonArray().add(token));
  }

  /** A batched delivery of seven events, under basic auth. */
  @Override
  protected WebhookPost genuineRequest() {
    return WebhookPost.of("application/json", fixtureBody("brevo/gateway_batched_events.json"))
        .withHeader("Authorization", basic("brevo", password));
  }

  @Override
  protected List<Expected> expectedEvents() {
    JsonArray events = new JsonArray(genuineRequest().text());
    String message = "\"recipient\":\"recipient@example.com\",\"message_id\":\"<202010090000.12345678901@smtp-relay.mailin.fr>\"";
    return List.of(
        expected(events, 0, "{\"type\":\"queued\",\"occurred_at\":\"2020-11-09T14:54:14.123Z\",\"subject\":\"My first Transactional\","
            + "\"tags\":[\"transac_messages\"],\"metadata\":{\"order\":\"A-17\"}," + message + "}"),
        expected(events, 1, "{\"type\":\"delivered\",\"occurred_at\":\"2020-11-09T14:54:15.000Z\"," + message + "}"),
        expected(events, 2, "{\"type\":\"bounced\",\"bounce_type\":\"hard\",\"reject_reason\":\"bounced\","
            + "\"mta_response\":\"550 5.1.1 user unknown\",\"occurred_at\":\"2020-11-09T14:54:16.000Z\"," + message + "}"),
        expected(events, 3, "{\"type\":\"bounced\",\"bounce_type\":\"soft\",\"reject_reason\":\"bounced\","
            + "\"mta_response\":\"452 4.2.2 mailbox full\"}"),
        expected(events, 4, "{\"type\":\"bounced\",\"bounce_type\":\"hard\",\"reject_reason\":\"invalid\"}"),
        expected(events, 5, "{\"type\":\"clicked\",\"click_url\":\"https://example.com/offer\",\"bounce_type\":null}"),
        expected(events, 6, "{\"type\":\"subscribed\",\"occurred_at\":\"2020-11-09T14:54:20.000Z\"}"));
  }

  /** A single hard bounce, sent with the bearer token. */
  @Override
  protected WebhookPost otherRequest() {
    return WebhookPost.of("application/json", fixtureBody("brevo/test_hard_bounce.json"))
        .withHeader("Authorization", "Bearer " + token);
  }

  @Override
  protected List<Expected> expectedEventsOfOther() {
    return List.of(expected(new JsonArray().add(new JsonObject(otherRequest().text())), 0, """
        {"type":"bounced","bounce_type":"hard","reject_reason":"bounced","recipient":"not-a-user@example.com",
         "message_id":"<201803011158.9876543210@smtp-relay.mailin.fr>","occurred_at":"2018-03-06T19:10:23.000Z",
         "tags":["header-tag"]}"""));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    return List.of(
        forgery("wrong bearer token", other.withHeader("Authorization", "Bearer " + Signing.randomHex(20))),
        forgery("wrong basic-auth password", other.withHeader("Authorization", basic("brevo", "guessed"))),
        forgery("no credentials", other.withoutHeader("Authorization")));
  }

  private static Expected expected(JsonArray events, int index, String fields) {
    JsonObject event = events.getJsonObject(index);
    return expected(EventKeys.contentHash(event), event, fields);
  }
}
