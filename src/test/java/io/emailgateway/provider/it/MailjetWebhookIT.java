package io.emailgateway.provider.it;

import static io.emailgateway.provider.it.Signing.basic;

import io.emailgateway.event.EventKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Mailjet event callbacks: a single event object, or with "group events" a JSON array of mixed
 * events. Mailjet signs nothing; the callback URL carries basic-auth credentials. Mailjet has no
 * event id, so each key is the hash of the event object; {@code MessageID} exceeds 2^53.
 */
class MailjetWebhookIT extends ProviderWebhookContract {
  private final String password = Signing.randomHex(16);

  @Override
  protected String provider() {
    return "mailjet";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("basic_auth", new JsonArray()
        .add(new JsonObject().put("username", "mailjet").put("password", password)));
  }

  /** A grouped callback of seven events of every kind. */
  @Override
  protected WebhookPost genuineRequest() {
    return WebhookPost.of("application/json", fixtureBody("mailjet/gateway_grouped_events.json"))
        .withHeader("Authorization", basic("mailjet", password));
  }

  @Override
  protected List<Expected> expectedEvents() {
    JsonArray events = new JsonArray(genuineRequest().text());
    return List.of(
        expected(events, 0, """
            {"type":"delivered","recipient":"a@example.com","message_id":"9007199254740993",
             "occurred_at":"2015-06-03T12:19:09.000Z","mta_response":"sent (250 2.0.0 OK)","bounce_type":null}"""),
        expected(events, 1, """
            {"type":"opened","recipient":"b@example.com","message_id":"9007199254740995","ip":"127.0.0.1","user_agent":"Mozilla/5.0"}"""),
        expected(events, 2, """
            {"type":"bounced","bounce_type":"hard","reject_reason":"bounced","recipient":"bounce@mailjet.com",
             "message_id":"13792286917004336","occurred_at":"2015-05-05T07:49:55.000Z",
             "description":"user unknown (related to recipient)"}"""),
        expected(events, 3, """
            {"type":"bounced","bounce_type":"soft","reject_reason":"bounced","recipient":"full@example.com"}"""),
        expected(events, 4, """
            {"type":"rejected","bounce_type":null,"reject_reason":"blocked","recipient":"x@example.com"}"""),
        expected(events, 5, """
            {"type":"complained","recipient":"s@example.com","message_id":"13792286917004339"}"""),
        expected(events, 6, """
            {"type":"unsubscribed","recipient":"u@example.com","user_agent":"List-Unsubscribe"}"""));
  }

  /** One event without grouping: a bare object. */
  @Override
  protected WebhookPost otherRequest() {
    return WebhookPost.of("application/json", fixtureBody("mailjet/test_non_grouped_event.json"))
        .withHeader("Authorization", basic("mailjet", password));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    return List.of(
        forgery("wrong password", other.withHeader("Authorization", basic("mailjet", "guessed"))),
        forgery("credentials not in basic form", other.withHeader("Authorization", "Bearer " + password)),
        forgery("no credentials", other.withoutHeader("Authorization")));
  }

  private static Expected expected(JsonArray events, int index, String fields) {
    JsonObject event = events.getJsonObject(index);
    return expected(EventKeys.contentHash(event), event, fields);
  }
}
