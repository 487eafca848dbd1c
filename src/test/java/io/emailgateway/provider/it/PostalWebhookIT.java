package io.emailgateway.provider.it;

import static io.emailgateway.provider.it.Signing.base64;
import static io.emailgateway.provider.it.Signing.rsaSign;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;

/**
 * Postal: one JSON event per request, {@code {"event","timestamp","payload","uuid"}}, the raw body
 * signed with the Postal server's RSA key: {@code X-Postal-Signature-256} (SHA-256) and, for older
 * receivers, {@code X-Postal-Signature} (SHA-1). The test generates the key pair and configures the
 * public half as {@code postal default-dkim-record} prints it (base64 DER).
 */
class PostalWebhookIT extends ProviderWebhookContract {
  private final KeyPair postal = Signing.rsaKeys();
  private final KeyPair stranger = Signing.rsaKeys();

  @Override
  protected String provider() {
    return "postal";
  }

  @Override
  protected JsonObject sourceSettings() {
    return new JsonObject().put("public_keys", new JsonArray().add(base64(postal.getPublic().getEncoded())));
  }

  /** A bounce of an outgoing message (MessageDelayed carrying the bounce). */
  @Override
  protected WebhookPost genuineRequest() {
    return signed(postal, fixtureBody("postal/test_bounce_event.json"));
  }

  @Override
  protected List<Expected> expectedEvents() {
    return List.of(expected("0fcc831f-92b9-4e2b-97f2-d873abc77fab", new JsonObject(genuineRequest().text()), """
        {"type":"bounced","bounce_type":"hard","reject_reason":"bounced","recipient":"bounce@example.com",
         "message_id":"233843","occurred_at":"2020-11-30T16:18:21.961Z","sender":"sender@example.com",
         "description":"details","mta_response":"server output"}"""));
  }

  @Override
  protected WebhookPost otherRequest() {
    return signed(postal, fixtureBody("postal/test_delivered_event.json"));
  }

  @Override
  protected List<Expected> expectedEventsOfOther() {
    return List.of(expected("58e8d7ee-2cd5-4db2-9af3-3f436105795a", new JsonObject(otherRequest().text()), """
        {"type":"delivered","recipient":"recipient@example.com","message_id":"1563","tags":["welcome-email"],
         "occurred_at":"2020-11-30T16:18:21.354Z","mta_response":"250 2.0.0 OK\\n"}"""));
  }

  @Override
  protected List<Forgery> forgeriesOf(WebhookPost other) {
    byte[] body = other.body();
    return List.of(
        forgery("signed with another server's key", signed(stranger, other.text())),
        forgery("body changed after signing", other.withBody(other.text().replace("\"Sent\"", "\"HardFail\""))),
        forgery("a valid SHA-1 signature beside a SHA-256 one from another key",
            other.withHeader("X-Postal-Signature-256", rsaSign("SHA256withRSA", stranger.getPrivate(), body))),
        forgery("no signature", other.withoutHeader("X-Postal-Signature-256").withoutHeader("X-Postal-Signature")));
  }

  private static WebhookPost signed(KeyPair keys, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return WebhookPost.of("application/json", bytes)
        .withHeader("X-Postal-Signature", rsaSign("SHA1withRSA", keys.getPrivate(), bytes))
        .withHeader("X-Postal-Signature-256", rsaSign("SHA256withRSA", keys.getPrivate(), bytes));
  }
}
