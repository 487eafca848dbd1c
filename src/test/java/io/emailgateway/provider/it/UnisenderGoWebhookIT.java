package io.emailgateway.provider.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.EventKeys;
import io.emailgateway.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Unisender Go ({@code json_post}): a batch {@code {"events_by_user":[{…,"events":[…]}],"auth":…}}
 * or, with "use single event", one flat object. {@code auth} is the MD5 hex of the body as sent,
 * written with the API key where the digest now stands. Unisender GETs the URL on activation.
 */
class UnisenderGoWebhookIT extends ProviderWebhookContract {
  private final String apiKey = Signing.randomHex(20);

  @Override
  protected String provider() {
    return "unisender_go";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("api_keys", new JsonArray().add(apiKey));
  }

  /** A batch of two status events, compact JSON as Unisender Go sends it. */
  @Override
  protected WebhookPost genuineRequest() {
    return signed(apiKey, fixtureBody("unisender_go/test_multiple_event_option.json"));
  }

  @Override
  protected List<Expected> expectedEvents() {
    JsonArray events = new JsonObject(genuineRequest().text()).getJsonArray("events_by_user").getJsonObject(0).getJsonArray("events");
    return List.of(
        expected(EventKeys.contentHash(events.getJsonObject(0)), events.getJsonObject(0), """
            {"type":"sent","recipient":"to@example.com","message_id":"1sn15Z-0007Le-GtVN","occurred_at":"2024-09-07T19:27:17.000Z"}"""),
        expected(EventKeys.contentHash(events.getJsonObject(1)), events.getJsonObject(1), """
            {"type":"delivered","recipient":"cc@example.com","message_id":"1sn15Z-0007Le-GtVN","occurred_at":"2024-09-07T19:27:17.000Z"}"""));
  }

  /** A single flat event ("use single event: yes"): a hard bounce, keyed by its hash without {@code auth}. */
  @Override
  protected WebhookPost otherRequest() {
    return signed(apiKey, fixtureBody("unisender_go/test_hard_bounced_event.json"));
  }

  @Override
  protected List<Expected> expectedEventsOfOther() {
    JsonObject event = new JsonObject(otherRequest().text());
    JsonObject withoutAuth = event.copy();
    withoutAuth.remove("auth");
    return List.of(expected(EventKeys.contentHash(withoutAuth), event, """
        {"type":"bounced","bounce_type":"hard","reject_reason":"bounced","recipient":"bounce@example.com",
         "occurred_at":"2024-09-06T23:22:40.000Z","description":"err_user_unknown",
         "mta_response":"555 5.7.1 User unknown 'bounce@example.com'."}"""));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    String auth = new JsonObject(other.text()).getString("auth");
    return List.of(
        forgery("signed with another API key", signed(Signing.randomHex(20), other.text())),
        forgery("body changed after signing", other.withBody(other.text().replace("hard_bounced", "delivered"))),
        forgery("no auth field", other.withBody(other.text().replace(",\"auth\":\"" + auth + "\"", ""))));
  }

  @Test
  @Order(4)
  void activationCheckGetsA200() {
    assertThat(Http.get(gateway.port(), "/webhooks/unisender_go").statusCode()).isEqualTo(200);
  }

  /** Unisender's scheme: the body with the API key as {@code auth}, hashed, and the digest put in its place. */
  private static WebhookPost signed(String apiKey, String body) {
    String previous = new JsonObject(body).getString("auth");
    String withKey = body.replace(previous, apiKey);
    return WebhookPost.of("application/json", withKey.replace(apiKey, Signing.md5Hex(withKey)));
  }
}
