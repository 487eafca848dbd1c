package io.emailgateway.testing;

import io.emailgateway.embedded.EmbeddedServices;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL and Redis the integration tests talk to, resolved once per test JVM as
 * DESIGN.md says: the environment first ({@code GATEWAY_PG_URI}, {@code GATEWAY_REDIS_URI}),
 * else Testcontainers when a Docker engine is there, else the embedded ones. Never a mock.
 */
public final class TestServices {
  private static final Logger LOG = LoggerFactory.getLogger(TestServices.class);
  private static String postgresUri;
  private static String redisUri;

  private TestServices() {}

  /** A URI of the server's maintenance database; tests derive their own database from it. */
  public static synchronized String postgresUri() {
    resolve();
    return postgresUri;
  }

  public static synchronized String redisUri() {
    resolve();
    return redisUri;
  }

  private static void resolve() {
    if (postgresUri != null) {
      return;
    }
    String pg = System.getenv("GATEWAY_PG_URI");
    String redis = System.getenv("GATEWAY_REDIS_URI");
    if (pg != null && !pg.isBlank() && redis != null && !redis.isBlank()) {
      LOG.info("integration tests use PostgreSQL and Redis from the environment");
      postgresUri = pg;
      redisUri = redis;
    } else if (dockerAvailable()) {
      startContainers();
    } else {
      startEmbedded();
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @SuppressWarnings("resource")
  private static void startContainers() {
    LOG.info("integration tests use Testcontainers");
    PostgreSQLContainer pg = new PostgreSQLContainer("postgres:16-alpine");
    pg.start();
    GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
    redis.start();
    postgresUri = "postgresql://" + pg.getUsername() + ":" + pg.getPassword() + "@" + pg.getHost() + ":"
        + pg.getMappedPort(5432) + "/postgres";
    redisUri = "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
  }

  private static void startEmbedded() {
    LOG.info("integration tests use the embedded PostgreSQL and Redis (no environment, no Docker engine)");
    try {
      EmbeddedServices embedded = new EmbeddedServices();
      Path dir = Files.createTempDirectory("gateway-it");
      postgresUri = embedded.startPostgres(dir).replace("/email_gateway", "/postgres");
      redisUri = embedded.startRedis();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          embedded.close();
        } catch (Exception e) {
          LOG.warn("embedded services did not stop: {}", e.toString());
        }
      }));
    } catch (Exception e) {
      throw new IllegalStateException("cannot start embedded PostgreSQL/Redis", e);
    }
  }
}
