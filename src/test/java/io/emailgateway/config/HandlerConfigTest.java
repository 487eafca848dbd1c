package io.emailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HandlerConfigTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  @Test
  void absentHandlersSectionGivesTheDocumentedDefaults() {
    GatewayConfig config = GatewayConfig.from(new JsonObject());

    HandlerSettings handlers = config.handlers();
    assertThat(handlers.enabled()).isTrue();
    assertThat(handlers.instances()).isEqualTo(1);
    assertThat(handlers.batchRows()).isEqualTo(16);
    assertThat(handlers.maxBatchEvents()).isEqualTo(5000);
    // Below the 50 ms ack target: at 100 ms the handlers kept going while commits already lagged.
    assertThat(handlers.yieldToIngestAfter()).isEqualTo(Duration.ofMillis(20));
    assertThat(handlers.retry()).isEqualTo(new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofMinutes(5)));
    assertThat(handlers.suppression()).isEqualTo(new HandlerSettings.Suppression(true, 3, Duration.ofDays(7)));
    assertThat(handlers.deliverability()).isEqualTo(new HandlerSettings.Deliverability(Duration.ofHours(24), 20));
    assertThat(config.destinations()).isEmpty();
  }

  @Test
  void unknownSuppressionScopeNamesTheKey() {
    JsonObject json = new JsonObject().put("handlers", new JsonObject()
        .put("suppression", new JsonObject().put("scope", "tenant")));
    assertThatThrownBy(() -> GatewayConfig.from(json))
        .hasMessage("invalid configuration: handlers.suppression.scope: expected global or source, got 'tenant'");
  }

  @Test
  void zeroPollIntervalIsRefusedBecauseItWouldSpin() {
    JsonObject json = new JsonObject().put("handlers", new JsonObject().put("poll_interval", "0s"));
    assertThatThrownBy(() -> GatewayConfig.from(json)).hasMessage("invalid configuration: handlers.poll_interval: must be above 0");
  }

  @Test
  void destinationIsReadWithItsFiltersAndDecodedSecret() {
    JsonObject json = new JsonObject().put("destinations", new JsonArray().add(destination()
        .put("types", new JsonArray().add("Bounced").add("complained")).put("max_in_flight", 2)));

    DestinationConfig crm = GatewayConfig.from(json).destinations().get(0);

    assertThat(crm.id()).isEqualTo("crm");
    assertThat(crm.url().toString()).isEqualTo("https://crm.internal.example/hooks/email-events");
    assertThat(crm.secrets()).hasSize(1);
    assertThat(crm.secrets().get(0)).hasSize(24);
    assertThat(crm.accepts("bounced", "any-source")).isTrue();
    assertThat(crm.accepts("delivered", "any-source")).isFalse();
    assertThat(crm.maxInFlight()).isEqualTo(2);
    assertThat(crm.retry().maxAttempts()).isEqualTo(12);
    assertThat(crm.toString()).doesNotContain("MfKQ9r8");
  }

  @Test
  void destinationWithoutSecretIsRefusedBecauseForwardedEventsAreAlwaysSigned() {
    JsonObject json = new JsonObject().put("destinations", new JsonArray().add(destination().put("signing_secret", "")));
    assertThatThrownBy(() -> GatewayConfig.from(json))
        .hasMessage("invalid configuration: destinations[0].signing_secret is required");
  }

  @Test
  void malformedSecretIsRefusedWithoutEchoingIt() {
    JsonObject json = new JsonObject().put("destinations", new JsonArray().add(destination().put("signing_secret", "whsec_c2hvcnQ=")));
    assertThatThrownBy(() -> GatewayConfig.from(json)).hasMessageStartingWith("invalid configuration: destinations[0].signing_secret:")
        .hasMessageNotContaining("c2hvcnQ");
  }

  @Test
  void unknownEventTypeInAFilterNamesTheKey() {
    JsonObject json = new JsonObject().put("destinations", new JsonArray().add(destination()
        .put("types", new JsonArray().add("bounce"))));
    assertThatThrownBy(() -> GatewayConfig.from(json))
        .hasMessage("invalid configuration: destinations[0].types: unknown event type 'bounce'");
  }

  @Test
  void relativeUrlAndDuplicateIdsAreRefused() {
    JsonObject relative = new JsonObject().put("destinations", new JsonArray().add(destination().put("url", "/hooks")));
    JsonObject twice = new JsonObject().put("destinations", new JsonArray().add(destination()).add(destination()));
    assertThatThrownBy(() -> GatewayConfig.from(relative)).hasMessageStartingWith("invalid configuration: destinations[0].url:");
    assertThatThrownBy(() -> GatewayConfig.from(twice)).hasMessageContaining("destinations[1].id: duplicate destination id 'crm'");
  }

  private static JsonObject destination() {
    return new JsonObject().put("id", "crm").put("url", "https://crm.internal.example/hooks/email-events")
        .put("signing_secret", SECRET);
  }
}
