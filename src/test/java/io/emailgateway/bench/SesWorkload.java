package io.emailgateway.bench;

import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.provider.SesProvider;
import io.emailgateway.provider.SnsTestPki;
import io.emailgateway.provider.WebhookProvider;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.PrivateKey;
import java.time.Instant;

/**
 * Amazon SES "Delivery" events through an SNS HTTP subscription: one notification per recipient,
 * the SES record as the JSON string in {@code Message}, signed with SignatureVersion 2
 * (SHA256withRSA, 2048-bit) by a certificate that the bench serves on 127.0.0.1 and that chains to
 * the trust anchor configured for the source. The event key is the SNS MessageId plus the recipient.
 */
final class SesWorkload implements Workload {
  private final PrivateKey signingKey;
  private final String certUrl;
  private final String topicArn;

  SesWorkload(PrivateKey signingKey, String certUrl, String topicArn) {
    this.signingKey = signingKey;
    this.certUrl = certUrl;
    this.topicArn = topicArn;
  }

  @Override
  public String name() {
    return "ses";
  }

  @Override
  public String source() {
    return "ses-bench";
  }

  @Override
  public int eventsPerRequest() {
    return 1;
  }

  /** RSA signing is slow (about 1 ms a request on one core): sign fewer; a run that runs out ends early and says so. */
  @Override
  public double guessRequestsPerSecond() {
    return 2000;
  }

  @Override
  public Presigned request(String run, int index) {
    String messageId = run + "-" + index;
    String recipient = "user" + index + "@example.com";
    String now = Instant.now().toString();
    JsonObject record = new JsonObject().put("eventType", "Delivery")
        .put("mail", new JsonObject().put("timestamp", now).put("source", "news@example.org")
            .put("sourceArn", "arn:aws:ses:us-east-1:123456789012:identity/example.org")
            .put("sendingAccountId", "123456789012")
            .put("messageId", "0100018c" + Integer.toHexString(index) + "-9a483358-9170-4cb4-a269-f5dcdf415321-000000")
            .put("destination", new JsonArray().add(recipient))
            .put("tags", new JsonObject().put("campaign", new JsonArray().add("spring-sale")))
            .put("commonHeaders", new JsonObject().put("from", new JsonArray().add("news@example.org"))
                .put("to", new JsonArray().add(recipient)).put("subject", "Spring sale")))
        .put("delivery", new JsonObject().put("timestamp", now).put("processingTimeMillis", 546)
            .put("recipients", new JsonArray().add(recipient))
            .put("smtpResponse", "250 ok:  Message 64111812 accepted")
            .put("reportingMTA", "a8-70.smtp-out.amazonses.com").put("remoteMtaIp", "127.0.2.0"));
    JsonObject envelope = SnsTestPki.sign(
        SnsTestPki.notification(topicArn, messageId, record.encode(), null, certUrl), signingKey, 2);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/plain; charset=UTF-8")
        .add("x-amz-sns-message-type", "Notification").add("x-amz-sns-message-id", messageId)
        .add("x-amz-sns-topic-arn", topicArn);
    return new Presigned(Buffer.buffer(envelope.encode()), headers, 1);
  }

  @Override
  public WebhookProvider provider() {
    JsonObject settings = new JsonObject().put("id", source()).put("provider", "ses")
        .put("topic_arns", new JsonArray().add(topicArn));
    return new SesProvider(SourceConfig.from(new ConfigSection(settings, "bench")));
  }
}
