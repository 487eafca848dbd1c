package io.emailgateway.provider.it;

import static io.emailgateway.provider.it.Signing.basic;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * SparkPost: a JSON array of {@code {"msys":{<class>:{…}}}} elements (with {@code {"msys":{}}}
 * pings among them) and the {@code X-MessageSystems-Batch-ID} header. SparkPost signs nothing: it
 * sends basic auth from the webhook settings or an OAuth2 bearer token; either is configured here.
 */
class SparkPostWebhookIT extends ProviderWebhookContract {
  private final String password = Signing.randomHex(16);
  private final String token = Signing.randomHex(20);

  @Override
  protected String provider() {
    return "sparkpost";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject()
        .put("basic_auth", new JsonArray().add(new JsonObject().put("username", "sparkpost").put("password", password)))
        .put("bearer_tokens", new JsonArray().add(token));
  }

  /** Injection, delivery, open and generation failure, with two pings in between, under basic auth. */
  @Override
  protected WebhookPost genuineRequest() {
    return WebhookPost.of("application/json", fixtureBody("sparkpost/gateway_batch_with_ping_and_header.json"))
        .withHeader("X-MessageSystems-Batch-ID", "77c2b630-d6dc-11e5-b6ff-00505693c9d2")
        .withHeader("User-Agent", "SparkPost")
        .withHeader("Authorization", basic("sparkpost", password));
  }

  @Override
  protected List<Expected> expectedEvents() {
    JsonArray elements = new JsonArray(genuineRequest().text());
    String common = "\"recipient\":\"recipient@example.com\",\"message_id\":\"65832150921904138\",\"sender\":\"sender@example.com\","
        + "\"subject\":\"Summer deals are here!\",\"tags\":[\"Example Campaign Name\"],\"metadata\":{\"customKey\":\"customValue\",\"order\":42}";
    return List.of(
        expected("2001", elements.getJsonObject(1), "{\"type\":\"queued\",\"occurred_at\":\"2016-02-02T19:50:00.000Z\"," + common + "}"),
        expected("2002", elements.getJsonObject(2), "{\"type\":\"delivered\",\"occurred_at\":\"2016-02-02T19:51:00.000Z\"," + common + "}"),
        expected("2003", elements.getJsonObject(4), """
            {"type":"opened","occurred_at":"2016-02-02T19:52:00.000Z","ip":"198.51.100.4",
             "user_agent":"Mozilla/5.0 (via ggpht.com GoogleImageProxy)"}"""),
        expected("2004", elements.getJsonObject(5), """
            {"type":"failed","occurred_at":"2016-02-02T19:53:00.000Z",
             "mta_response":"554 5.3.3 [internal] Error while rendering part html"}"""));
  }

  /** A bounce (class 10, invalid recipient), sent with the OAuth2 bearer token. */
  @Override
  protected WebhookPost otherRequest() {
    return WebhookPost.of("application/json", fixtureBody("sparkpost/test_bounce_event.json"))
        .withHeader("X-MessageSystems-Batch-ID", "9a8b7c6d-d6dc-11e5-b6ff-00505693c9d2")
        .withHeader("Authorization", "Bearer " + token);
  }

  @Override
  protected List<Expected> expectedEventsOfOther() {
    return List.of(expected("84345317653491230", new JsonArray(otherRequest().text()).getJsonObject(0), """
        {"type":"bounced","bounce_type":"hard","reject_reason":"invalid","recipient":"bounce@example.com",
         "message_id":"84345317650824116","occurred_at":"2016-06-01T23:42:28.000Z",
         "mta_response":"550 5.1.1 <bounce@example.com>: Recipient address rejected: User unknown"}"""));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    return List.of(
        forgery("wrong bearer token", other.withHeader("Authorization", "Bearer " + Signing.randomHex(20))),
        forgery("wrong basic-auth password", other.withHeader("Authorization", basic("sparkpost", "guessed"))),
        forgery("no credentials", other.withoutHeader("Authorization")));
  }
}
