package io.emailgateway.provider.it;

import io.emailgateway.testing.SendGridFixtures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * SendGrid: a JSON array of events ({@code },CRLF{} between them, CRLF at the end), signed with
 * ECDSA P-256 over the timestamp header followed by the body; the test holds the private key and
 * configures the public one as SendGrid's "verification key".
 */
class SendGridWebhookIT extends ProviderWebhookContract {
  private final SendGridFixtures sendgrid = new SendGridFixtures();
  private final SendGridFixtures stranger = new SendGridFixtures();
  /** SendGrid's official multi-event vector (processed + blocked bounce), byte for byte. */
  private final byte[] officialBatch = resource("vectors/sendgrid_multi.body");
  private final String otherId = SendGridFixtures.eventId();

  @Override
  protected String provider() {
    return "sendgrid";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("public_keys", new JsonArray().add(sendgrid.publicKey()));
  }

  @Override
  protected WebhookPost genuineRequest() {
    return signed(sendgrid, officialBatch);
  }

  @Override
  protected List<Expected> expectedEvents() {
    JsonArray events = new JsonArray(new String(officialBatch, java.nio.charset.StandardCharsets.UTF_8));
    return List.of(
        expected("cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA", events.getJsonObject(0), """
            {"type":"queued","recipient":"invalid@gmail.com","message_id":"qNwBLgPQQjW6DJvKQwSAbw",
             "occurred_at":"2021-04-28T23:05:46.000Z","bounce_type":null,"reject_reason":null}"""),
        expected("Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w", events.getJsonObject(1), """
            {"type":"bounced","bounce_type":"soft","recipient":"invalid@gmail.com","message_id":"qNwBLgPQQjW6DJvKQwSAbw",
             "occurred_at":"2021-04-28T23:05:47.000Z","ip":null,
             "mta_response":"552 5.2.2 The email account that you tried to reach is over quota and inactive. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm c17si1130468pgv.34 - gsmtp"}"""));
  }

  @Override
  protected WebhookPost otherRequest() {
    return signed(sendgrid, SendGridFixtures.batch(List.of(SendGridFixtures.event(otherId, "delivered", "other@example.com"))));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    return List.of(
        forgery("signed with another key", signed(stranger, other.body())),
        forgery("body changed after signing", other.withBody(other.text().replace("delivered", "bounce"))),
        forgery("no signature", other.withoutHeader("X-Twilio-Email-Event-Webhook-Signature")
            .withoutHeader("X-Twilio-Email-Event-Webhook-Timestamp")));
  }

  private static WebhookPost signed(SendGridFixtures key, byte[] body) {
    Map<String, String> headers = key.signedHeaders(body);
    return new WebhookPost(headers, body);
  }
}
