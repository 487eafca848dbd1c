package io.emailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AdminSettingsTest {

  @Test
  void withoutATokenTheApiIsDisabledAndTheQuarantineHasItsDocumentedBounds() {
    AdminSettings admin = GatewayConfig.from(new JsonObject()).admin();

    assertThat(admin.apiEnabled()).isFalse();
    assertThat(admin.poolSize()).isEqualTo(2);
    assertThat(admin.statementTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(admin.quarantine()).isEqualTo(new AdminSettings.Quarantine(true, 1000, Duration.ofDays(7), 10, 2, 1024 * 1024));
  }

  @Test
  void aBlankTokenStillDisablesTheApi() {
    JsonObject json = new JsonObject().put("admin", new JsonObject().put("token", "   "));
    assertThat(GatewayConfig.from(json).admin().apiEnabled()).isFalse();
  }

  @Test
  void quarantineSettingsAreRead() {
    JsonObject json = new JsonObject().put("admin", new JsonObject().put("token", "t"))
        .put("quarantine", new JsonObject().put("enabled", false).put("max_per_source", 5).put("retention", "2h")
            .put("writes_per_second", 3).put("max_writes_in_flight", 1).put("max_body_bytes", 0));

    AdminSettings admin = GatewayConfig.from(json).admin();

    assertThat(admin.token()).isEqualTo("t");
    assertThat(admin.quarantine()).isEqualTo(new AdminSettings.Quarantine(false, 5, Duration.ofHours(2), 3, 1, 0));
  }

  @Test
  void invalidQuarantineSettingsNameTheKey() {
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("quarantine", new JsonObject().put("max_per_source", 0))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: quarantine.max_per_source: must be between 1 and 10000000, got 0");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("quarantine", new JsonObject().put("retention", "soon"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("quarantine.retention");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("quarantine", new JsonObject().put("retention", "0s"))))
        .isInstanceOf(ConfigException.class).hasMessage("invalid configuration: quarantine.retention: must be positive");
  }
}
