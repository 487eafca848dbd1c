package io.emailgateway.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The embedded default (DESIGN.md): a real PostgreSQL (zonky's binaries, data kept under
 * {@code <data_dir>/postgres} so it survives restarts) and a real redis-server, on free local
 * ports. For trying the gateway on one machine only: the embedded PostgreSQL runs with fsync
 * off, so an acknowledged event can be lost if the machine (not just the process) crashes.
 */
public final class EmbeddedServices implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServices.class);

  private EmbeddedPostgres postgres;
  private RedisServer redis;

  /** Starts PostgreSQL and returns its URI (database {@code email_gateway}, created later like any other). */
  public String startPostgres(Path dataDir) throws IOException {
    Path directory = dataDir.resolve("postgres");
    Files.createDirectories(directory.getParent());
    // Not the library's own shutdown hook: the JVM runs every hook at once, so it stopped the
    // server while the gateway's hook was still draining (the requests in flight then got 503).
    // The gateway stops it after the drain (Gateway.stop), or at once if the drain fails (Main).
    postgres = EmbeddedPostgres.builder().setDataDirectory(directory.toFile()).setCleanDataDirectory(false)
        .setRegisterShutdownHook(false).start();
    String uri = "postgresql://postgres@localhost:" + postgres.getPort() + "/email_gateway";
    LOG.warn("EMBEDDED PostgreSQL started on port {} with data in {} — for trying the gateway on one machine, "
        + "NOT for production (fsync is off). Set postgres.uri (GATEWAY_PG_URI) to use a real server.",
        postgres.getPort(), directory.toAbsolutePath());
    return uri;
  }

  /** Starts redis-server on a free port and returns its URI. */
  public String startRedis() throws IOException {
    int port = freePort();
    redis = RedisServer.newRedisServer().port(port).setting("bind 127.0.0.1").setting("save \"\"").build();
    redis.start();
    LOG.warn("EMBEDDED Redis started on port {} — for trying the gateway only. Set redis.uri (GATEWAY_REDIS_URI) "
        + "to use a real server.", port);
    return "redis://127.0.0.1:" + port;
  }

  /** Stops what was started; a second call does nothing. */
  @Override
  public synchronized void close() throws IOException {
    if (redis != null) {
      redis.stop();
      redis = null;
    }
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
