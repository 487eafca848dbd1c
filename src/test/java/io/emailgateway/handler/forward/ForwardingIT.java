package io.emailgateway.handler.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.config.DestinationConfig;
import io.emailgateway.config.GatewayConfig;
import io.emailgateway.config.HandlerSettings;
import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.handler.HandlerTestKit;
import io.emailgateway.handler.HandlersVerticle;
import io.emailgateway.handler.OutboxProcessor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Forwarding against a local HTTP receiver: Standard Webhooks signatures a receiver can verify,
 * retries after 500s, dead-lettering after max_attempts, manual redelivery, the per-destination
 * concurrency limit, and database handlers that never wait for a receiver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardingIT {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  private final Receiver receiver = new Receiver();
  private HandlerTestKit kit;
  private OutboxProcessor handlers;
  private DeliveryStore store;

  @BeforeAll
  void start() throws Exception {
    receiver.start();
    List<DestinationConfig> destinations = GatewayConfig.from(new JsonObject().put("destinations", new JsonArray()
        .add(destination("crm", "/ok").put("types", new JsonArray().add("bounced").add("complained")))
        .add(destination("flaky", "/flaky").put("sources", new JsonArray().add("flaky-src")).put("max_attempts", 5))
        .add(destination("down", "/down").put("sources", new JsonArray().add("down-src")).put("max_attempts", 3))
        .add(destination("slow", "/slow").put("sources", new JsonArray().add("slow-src")).put("max_in_flight", 2))))
        .destinations();
    kit = new HandlerTestKit(getClass());
    HandlerSettings settings = HandlerTestKit.defaults();
    handlers = kit.processor(settings, HandlersVerticle.builtIn(settings, destinations));
    store = new DeliveryStore(kit.pool);
    HandlerTestKit.await(kit.vertx.deployVerticle(new ForwardVerticle(store, destinations, Duration.ofMillis(50),
        new ForwardMetrics(new SimpleMeterRegistry(), destinations.stream().map(DestinationConfig::id).toList()))));
  }

  @AfterAll
  void stop() throws Exception {
    kit.close();
    receiver.close();
  }

  @Test
  void forwardedEventIsSignedPerStandardWebhooksWithTheEventIdAsWebhookId() throws Exception {
    EmailEvent bounce = event("sendgrid-main", EventType.BOUNCED, "signed@example.com");
    EmailEvent delivered = event("sendgrid-main", EventType.DELIVERED, "signed@example.com");
    storeAndHandle(bounce, delivered);
    long eventId = kit.eventId(bounce);

    Receiver.Request request = receiver.awaitRequests("/ok", String.valueOf(eventId), 1).get(0);

    assertThat(request.header("webhook-id")).isEqualTo(String.valueOf(eventId));
    assertThat(Long.parseLong(request.header("webhook-timestamp"))).isCloseTo(Instant.now().getEpochSecond(),
        org.assertj.core.data.Offset.offset(60L));
    assertThat(request.header("webhook-signature")).isEqualTo("v1," + independentlyComputedSignature(request));
    assertThat(request.header("content-type")).isEqualTo("application/json");
    JsonObject body = new JsonObject(request.body());
    assertThat(body.getLong("id")).isEqualTo(eventId);
    assertThat(body.getString("type")).isEqualTo("bounced");
    assertThat(body.getString("bounce_type")).isEqualTo("hard");
    assertThat(body.getString("recipient")).isEqualTo("signed@example.com");
    assertThat(body.getString("occurred_at")).isEqualTo("2024-05-01T10:00:00.000Z");
    assertThat(body.getString("received_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(body.getJsonObject("esp_event").getString("email")).isEqualTo("signed@example.com");
    assertThat(body.getJsonArray("tags")).containsExactly("welcome");
    kit.awaitCount("SELECT count(*) FROM deliveries WHERE event_id = " + eventId, 0);
    assertThat(kit.db.count("SELECT count(*) FROM deliveries WHERE event_id = " + kit.eventId(delivered)))
        .as("delivered is not in crm's types").isZero();
  }

  @Test
  void fiveHundredsAreRetriedWithBackoffUntilTheReceiverAcceptsWithTheSameWebhookId() {
    EmailEvent open = event("flaky-src", EventType.OPENED, "flaky@example.com");
    storeAndHandle(open);
    String id = String.valueOf(kit.eventId(open));

    List<Receiver.Request> requests = receiver.awaitRequests("/flaky", id, 3);
    kit.awaitCount("SELECT count(*) FROM deliveries WHERE event_id = " + id, 0);

    assertThat(requests).extracting(r -> r.header("webhook-id")).containsOnly(id);
    assertThat(requests).extracting(Receiver.Request::status).containsExactly(500, 500, 204);
    assertThat(requests.get(2).receivedAt() - requests.get(1).receivedAt()).as("backoff before the third attempt")
        .isGreaterThanOrEqualTo(40);
  }

  @Test
  void aDestinationThatKeepsFailingIsDeadLetteredAfterMaxAttemptsThenRedeliveredByHand() {
    EmailEvent open = event("down-src", EventType.OPENED, "down@example.com");
    storeAndHandle(open);
    long id = kit.eventId(open);

    kit.awaitCount("SELECT count(*) FROM deliveries WHERE state = 'dead' AND attempts = 3 AND last_status = 500 "
        + "AND last_error = 'HTTP 500' AND dead_at IS NOT NULL AND event_id = " + id, 1);
    sleep(300);
    assertThat(receiver.requests("/down", String.valueOf(id))).hasSize(3);

    receiver.heal("/down");
    assertThat(HandlerTestKit.await(store.redeliverDead("down"))).isEqualTo(1);

    kit.awaitCount("SELECT count(*) FROM deliveries WHERE event_id = " + id, 0);
    assertThat(receiver.requests("/down", String.valueOf(id))).extracting(Receiver.Request::status)
        .containsExactly(500, 500, 500, 200);
  }

  @Test
  void anEventAlreadyDeliveredIsSentAgainOnManualRedelivery() {
    EmailEvent complaint = event("sendgrid-main", EventType.COMPLAINED, "again@example.com");
    storeAndHandle(complaint);
    String id = String.valueOf(kit.eventId(complaint));
    receiver.awaitRequests("/ok", id, 1);
    kit.awaitCount("SELECT count(*) FROM deliveries WHERE event_id = " + id, 0);

    HandlerTestKit.await(store.redeliverEvent(kit.eventId(complaint), "crm"));

    assertThat(receiver.awaitRequests("/ok", id, 2)).extracting(r -> r.header("webhook-id")).containsOnly(id);
  }

  @Test
  void requestsInFlightToOneDestinationNeverExceedItsLimitAndHandlersDoNotWaitForThem() {
    EmailEvent[] opens = new EmailEvent[10];
    for (int i = 0; i < opens.length; i++) {
      opens[i] = event("slow-src", EventType.OPENED, "slow" + i + "@example.com");
    }
    storeAndHandle(opens);

    assertThat(kit.db.count("SELECT count(*) FROM engagement WHERE recipient LIKE 'slow%@example.com'"))
        .as("handlers committed while the receiver is still busy").isEqualTo(10);
    kit.awaitCount("SELECT count(*) FROM deliveries WHERE destination = 'slow'", 0);
    assertThat(receiver.requests("/slow", null)).hasSize(10);
    assertThat(receiver.maxConcurrent("/slow")).isEqualTo(2);
  }

  private void storeAndHandle(EmailEvent... events) {
    kit.store(events);
    kit.drain(handlers);
  }

  private static JsonObject destination(String id, String path) {
    return new JsonObject().put("id", id).put("url", "http://127.0.0.1:" + Receiver.PORT + path)
        .put("signing_secret", SECRET).put("retry_initial", "50ms").put("retry_max", "100ms").put("timeout", "5s");
  }

  private static EmailEvent event(String source, EventType type, String recipient) {
    EmailEvent.Builder builder = EmailEvent.builder(source, "sendgrid").type(type).recipient(recipient)
        .occurredAt(Instant.parse("2024-05-01T10:00:00Z")).eventKey(java.util.UUID.randomUUID().toString())
        .messageId("fwd-" + recipient).sender("news@mail.shop.example").tags(List.of("welcome"))
        .espEvent(new JsonObject().put("event", type.wireName()).put("email", recipient));
    return (type == EventType.BOUNCED ? builder.bounceType(BounceType.HARD) : builder).build();
  }

  /** What any Standard Webhooks receiver computes, written here without the gateway's code. */
  private static String independentlyComputedSignature(Receiver.Request request) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
    String signed = request.header("webhook-id") + "." + request.header("webhook-timestamp") + "." + request.body();
    return Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
