package io.emailgateway.reliability;

import io.emailgateway.testing.TestGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of this test's own on a fixed port, without persistence, killed (SIGKILL) and
 * started again empty — its counters and loaded Lua scripts gone, as after a crash or a failover
 * to a fresh replica. The machine's shared Redis is never touched.
 */
final class PrivateRedis implements AutoCloseable {
  private final int port = TestGateway.freePort();
  private final Path log;
  private Process process;

  private PrivateRedis(Path workDir) {
    this.log = workDir.resolve("redis-" + port + ".log");
  }

  static PrivateRedis start(Path workDir) {
    try {
      java.nio.file.Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PrivateRedis redis = new PrivateRedis(workDir);
    redis.start();
    return redis;
  }

  void start() {
    try {
      process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no"))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server must be on the PATH", e);
    }
    for (int i = 0; i < 100 && !answers(); i++) {
      GatewayProcess.sleep(50);
    }
    if (!answers()) {
      throw new IllegalStateException("redis-server did not start on " + port);
    }
  }

  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  private boolean answers() {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
