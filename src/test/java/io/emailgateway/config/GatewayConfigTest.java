package io.emailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

  @Test
  void emptyConfigGivesTheDocumentedDefaults() {
    GatewayConfig config = GatewayConfig.from(new JsonObject());

    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.http().managementPort()).isEqualTo(8081);
    assertThat(config.http().maxBodyBytes()).isEqualTo(10 * 1024 * 1024);
    assertThat(config.embeddedPostgres()).isTrue();
    assertThat(config.embeddedRedis()).isTrue();
    assertThat(config.persist().writeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.persist().instances()).isEqualTo(2);
    assertThat(config.persist().parallelMinEvents()).isEqualTo(100);
    assertThat(config.sources()).isEmpty();
  }

  @Test
  void invalidPortNamesTheKey() {
    JsonObject json = new JsonObject().put("http", new JsonObject().put("port", "eighty"));
    assertThatThrownBy(() -> GatewayConfig.from(json)).isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: http.port: expected an integer, got 'eighty'");
  }

  @Test
  void webhooksAndManagementOnOnePortAreRefused() {
    JsonObject json = new JsonObject().put("http", new JsonObject().put("port", 9000).put("management_port", 9000));
    assertThatThrownBy(() -> GatewayConfig.from(json)).isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: http.management_port: must differ from http.port (9000)");
    assertThat(GatewayConfig.from(new JsonObject().put("http", new JsonObject().put("port", 0).put("management_port", 0)))
        .http().managementPort()).as("0: each listener gets its own ephemeral port").isZero();
  }

  @Test
  void sourceWithoutProviderNamesTheKey() {
    JsonObject json = new JsonObject().put("sources", new JsonArray().add(new JsonObject().put("id", "a").put("provider", "x"))
        .add(new JsonObject().put("id", "b")));
    assertThatThrownBy(() -> GatewayConfig.from(json)).isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: sources[1].provider is required");
  }

  @Test
  void duplicateSourceIdsAreRefused() {
    JsonObject source = new JsonObject().put("id", "a").put("provider", "sendgrid");
    JsonObject json = new JsonObject().put("sources", new JsonArray().add(source).add(source.copy()));
    assertThatThrownBy(() -> GatewayConfig.from(json)).hasMessageContaining("sources[1].id: duplicate source id 'a'");
  }

  @Test
  void badDurationNamesTheKey() {
    JsonObject json = new JsonObject().put("persist", new JsonObject().put("write_timeout", "soon"));
    assertThatThrownBy(() -> GatewayConfig.from(json)).hasMessageStartingWith("invalid configuration: persist.write_timeout:");
  }

  @Test
  void emptyCredentialEntriesAreDroppedSoRotationListsCanHaveUnsetSlots() {
    ConfigSection source = new ConfigSection(new JsonObject().put("keys", new JsonArray().add("").add(" k2 ")), "sources[0]");
    assertThat(source.strings("keys")).containsExactly("k2");
  }
}
