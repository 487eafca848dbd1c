package io.emailgateway.bench;

import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.provider.SendGridProvider;
import io.emailgateway.provider.WebhookProvider;
import io.emailgateway.testing.SendGridFixtures;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;

/**
 * SendGrid batches of {@code batch} events as a campaign produces them: mostly processed and
 * delivered, then opens, clicks and a bounce, each with SendGrid's usual fields and a custom arg;
 * a JSON array with CRLF after each event, signed with ECDSA P-256 over timestamp + body.
 */
final class SendGridWorkload implements Workload {
  private static final String[] KINDS =
      {"processed", "processed", "processed", "delivered", "delivered", "delivered", "open", "open", "click", "bounce"};

  private final int batch;
  private final PrivateKey key;
  private final String publicKey;

  SendGridWorkload(int batch, PrivateKey key, String publicKey) {
    this.batch = batch;
    this.key = key;
    this.publicKey = publicKey;
  }

  @Override
  public String name() {
    return "sendgrid-" + batch;
  }

  @Override
  public String source() {
    return "sendgrid-bench";
  }

  @Override
  public int eventsPerRequest() {
    return batch;
  }

  @Override
  public Presigned request(String run, int index) {
    StringBuilder body = new StringBuilder(batch * 420).append('[');
    long timestamp = System.currentTimeMillis() / 1000;
    for (int e = 0; e < batch; e++) {
      String key = run + "-" + index + "-" + e;
      body.append(e == 0 ? "" : ",\r\n").append(event(key, KINDS[(index + e) % KINDS.length], index, e, timestamp));
    }
    byte[] bytes = body.append("]\r\n").toString().getBytes(StandardCharsets.UTF_8);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(SendGridFixtures.signWith(key, bytes, timestamp));
    return new Presigned(Buffer.buffer(bytes), headers, batch);
  }

  private static String event(String id, String kind, int request, int e, long timestamp) {
    JsonObject event = new JsonObject()
        .put("email", "user" + request + "." + e + "@example.com")
        .put("timestamp", timestamp - 30)
        .put("smtp-id", "<" + id + "@ismtpd0039p1iad1.sendgrid.net>")
        .put("event", kind)
        .put("category", new JsonArray().add("newsletter").add("campaign-2026-11"))
        .put("sg_event_id", id)
        .put("sg_message_id", "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-" + e)
        .put("customer_id", Integer.toString(request % 9973))
        .put("campaign", "spring-sale");
    switch (kind) {
      case "delivered" -> event.put("response", "250 2.0.0 OK  1600112493 y5si13839545qkj.61 - gsmtp")
          .put("ip", "168.245.10.3").put("tls", 1);
      case "open" -> event.put("useragent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36")
          .put("ip", "203.0.113.9").put("sg_machine_open", false);
      case "click" -> event.put("url", "https://shop.example.com/spring?utm_source=newsletter")
          .put("useragent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)").put("ip", "203.0.113.10")
          .put("url_offset", new JsonObject().put("index", 0).put("type", "html"));
      case "bounce" -> event.put("reason", "550 5.1.1 The email account that you tried to reach does not exist.")
          .put("status", "5.1.1").put("type", "bounce").put("bounce_classification", "Invalid Address");
      default -> event.put("send_at", 0);
    }
    return event.encode();
  }

  @Override
  public WebhookProvider provider() {
    JsonObject settings = new JsonObject().put("id", source()).put("provider", "sendgrid")
        .put("public_keys", new JsonArray().add(publicKey));
    return new SendGridProvider(SourceConfig.from(new ConfigSection(settings, "bench")));
  }
}
