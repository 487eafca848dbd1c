package io.emailgateway.metrics;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds promtool and prometheus (Debian's {@code prometheus} package; .ci/check-deploy installs
 * it). Without them the tests that need them are skipped, visibly, unless
 * {@code GATEWAY_REQUIRE_MONITORING_TOOLS=true} (set by .ci/run): then a missing tool fails.
 */
final class MonitoringTools {
  private MonitoringTools() {}

  static Path require(String tool) {
    Optional<Path> found = onPath(tool);
    if (found.isEmpty() && "true".equals(System.getenv("GATEWAY_REQUIRE_MONITORING_TOOLS"))) {
      throw new AssertionError(tool + " is not on the PATH but GATEWAY_REQUIRE_MONITORING_TOOLS=true"
          + " (apt-get install prometheus, or run .ci/check-deploy)");
    }
    Assumptions.assumeTrue(found.isPresent(), tool + " is not installed (Debian package prometheus): check skipped");
    return found.get();
  }

  private static Optional<Path> onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, tool);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
