package io.emailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

/**
 * The gateway.yaml files that ship with the deployments load with this build's configuration
 * rules, with the environment those deployments give them, and agree with the manifests on
 * the ports. (The manifests themselves are checked by .ci/check-deploy.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentConfigTest {
  private static final Map<String, String> SECRET = Map.of(
      "GATEWAY_PG_URI", "postgresql://gateway:secret@postgres.internal:5432/email_gateway",
      "GATEWAY_REDIS_URI", "redis://redis.internal:6379",
      "GATEWAY_ADMIN_TOKEN", "token",
      "POSTMARK_WEBHOOK_USER", "demo",
      "POSTMARK_WEBHOOK_PASSWORD", "demo-password");
  private Vertx vertx;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void kubernetesBaseConfigLoadsWithTheSecretAndUsesExternalServices() throws Exception {
    GatewayConfig config = load("k8s/base/gateway.yaml", SECRET);

    assertThat(config.embeddedPostgres()).isFalse();
    assertThat(config.embeddedRedis()).isFalse();
    assertThat(config.postgresUri()).isEqualTo(SECRET.get("GATEWAY_PG_URI"));
  }

  @Test
  void productionOverlayConfigLoadsWithTheSecret() throws Exception {
    GatewayConfig config = load("k8s/overlays/production/gateway.yaml", SECRET);

    assertThat(config.embeddedPostgres()).isFalse();
    assertThat(config.sources()).extracting(SourceConfig::id).contains("sendgrid-main", "ses-main", "postmark-main");
  }

  @Test
  void kubernetesConfigWithoutThePostgresUriStopsStartUpNamingTheVariable() {
    Map<String, String> withoutPostgres = new java.util.HashMap<>(SECRET);
    withoutPostgres.remove("GATEWAY_PG_URI");

    assertThat(failure("k8s/base/gateway.yaml", withoutPostgres)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("GATEWAY_PG_URI");
  }

  @Test
  void composeRunsTheImageDefaultConfigWithItsEnvironment() throws Exception {
    Map<String, Object> gateway = service("gateway");
    @SuppressWarnings("unchecked")
    Map<String, String> environment = (Map<String, String>) gateway.get("environment");

    GatewayConfig config = load("conf/gateway.yaml", Map.of(
        "GATEWAY_PG_URI", environment.get("GATEWAY_PG_URI"), "GATEWAY_REDIS_URI", environment.get("GATEWAY_REDIS_URI")));

    assertThat(config.embeddedPostgres()).isFalse();
    assertThat(gateway.get("ports").toString()).contains("8080:" + config.http().port())
        .contains(":8081:" + config.http().managementPort());
  }

  @Test
  void deploymentPortsAreTheConfiguredListeners() throws Exception {
    GatewayConfig config = load("k8s/base/gateway.yaml", SECRET);
    Map<String, Object> deployment = yaml(Path.of("k8s/base/deployment.yaml"));

    assertThat(containerPorts(deployment)).containsEntry("http", config.http().port())
        .containsEntry("management", config.http().managementPort());
  }

  private GatewayConfig load(String file, Map<String, String> environment) throws Exception {
    return ConfigLoader.load(vertx, Path.of(file), environment).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private Throwable failure(String file, Map<String, String> environment) {
    try {
      load(file, environment);
      throw new AssertionError(file + " loaded without " + environment);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> service(String name) throws IOException {
    Map<String, Object> services = (Map<String, Object>) yaml(Path.of("docker/compose.yaml")).get("services");
    return (Map<String, Object>) services.get(name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Integer> containerPorts(Map<String, Object> deployment) {
    Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment.get("spec"))
        .get("template")).get("spec");
    Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
    Map<String, Integer> ports = new java.util.HashMap<>();
    for (Map<String, Object> port : (List<Map<String, Object>>) container.get("ports")) {
      ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
    }
    return ports;
  }

  private static Map<String, Object> yaml(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file)) {
      return new Yaml().load(reader);
    }
  }
}
