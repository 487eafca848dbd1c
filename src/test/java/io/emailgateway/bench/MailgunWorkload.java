package io.emailgateway.bench;

import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.provider.MailgunProvider;
import io.emailgateway.provider.WebhookProvider;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Mailgun's current webhooks: one event per request, a "delivered" event shaped like Mailgun's
 * own example, with the signature block (HMAC-SHA256 of timestamp + token) inside the JSON body.
 * The token is the event key, so each request carries a fresh one.
 */
final class MailgunWorkload implements Workload {
  private final String signingKey;

  MailgunWorkload(String signingKey) {
    this.signingKey = signingKey;
  }

  @Override
  public String name() {
    return "mailgun";
  }

  @Override
  public String source() {
    return "mailgun-bench";
  }

  @Override
  public int eventsPerRequest() {
    return 1;
  }

  @Override
  public Presigned request(String run, int index) {
    String token = run + "-" + index;
    String timestamp = Long.toString(System.currentTimeMillis() / 1000);
    String signature = HexFormat.of().formatHex(Hmacs.hmac("HmacSHA256", signingKey.getBytes(StandardCharsets.UTF_8),
        (timestamp + token).getBytes(StandardCharsets.UTF_8)));
    String recipient = "user" + index + "@example.com";
    JsonObject payload = new JsonObject()
        .put("signature", new JsonObject().put("timestamp", timestamp).put("token", token).put("signature", signature))
        .put("event-data", new JsonObject()
            .put("tags", new JsonArray().add("newsletter"))
            .put("timestamp", System.currentTimeMillis() / 1000.0 - 30)
            .put("storage", new JsonObject().put("url", "https://sw.api.mailgun.net/v3/domains/example.org/messages/eyJwI")
                .put("key", "eyJwI"))
            .put("recipient-domain", "example.com")
            .put("id", "hTWCTD81RtiDN-" + index)
            .put("campaigns", new JsonArray())
            .put("user-variables", new JsonObject().put("customer_id", Integer.toString(index % 9973)))
            .put("flags", new JsonObject().put("is-routed", false).put("is-authenticated", true)
                .put("is-system-test", false).put("is-test-mode", false))
            .put("log-level", "info")
            .put("envelope", new JsonObject().put("sending-ip", "198.51.100.7").put("sender", "news@example.org")
                .put("transport", "smtp").put("targets", recipient))
            .put("message", new JsonObject()
                .put("headers", new JsonObject().put("to", recipient)
                    .put("message-id", "20261126211713." + index + ".DF5966851B4BAA99@example.org")
                    .put("from", "news@example.org").put("subject", "Spring sale"))
                .put("attachments", new JsonArray()).put("size", 18093))
            .put("recipient", recipient)
            .put("event", "delivered")
            .put("delivery-status", new JsonObject().put("tls", true).put("mx-host", "smtp-in.example.com")
                .put("attempt-no", 1).put("description", "").put("session-seconds", 0.57).put("utf8", true)
                .put("code", 250).put("message", "OK").put("certificate-verified", true)));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    return new Presigned(Buffer.buffer(payload.encode()), headers, 1);
  }

  @Override
  public WebhookProvider provider() {
    JsonObject settings = new JsonObject().put("id", source()).put("provider", "mailgun")
        .put("signing_keys", new JsonArray().add(signingKey));
    return new MailgunProvider(SourceConfig.from(new ConfigSection(settings, "bench")));
  }
}
