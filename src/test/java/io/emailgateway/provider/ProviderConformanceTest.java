package io.emailgateway.provider;

import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Walks {@code src/test/resources/providers/<provider>/}: every fixture there is parsed by that
 * provider (authentication bypassed) and compared with its expected normalized fields, so a
 * fixture added to a folder is tested without new code. {@code _source.json} in each folder is
 * the source configuration the provider is built from; a fixture's {@code source_settings}
 * object is merged over it (for provider options a fixture's notes name).
 */
class ProviderConformanceTest {

  /**
   * Fields this gateway derives differently from django-anymail on purpose, per provider.
   * sendgrid message_id: anymail reads its own custom arg {@code anymail_id}; the gateway reports
   * SendGrid's own message id (SendGridProviderTest checks that rule on the same fixtures).
   * ses occurred_at: anymail reports the SNS envelope's Timestamp; the gateway reports the SES
   * event's own time (DESIGN.md "Normalized event"; SesEventsTest checks it on the same fixtures).
   * postal: anymail asserts message_id as a JSON number (the gateway's is text), occurred_at
   * truncated to whole seconds (the gateway keeps the ms) and metadata null (the gateway's is {});
   * unisender_go message_id/metadata: anymail prefers its own metadata.anymail_id and removes it,
   * the gateway reports job_id and passes metadata whole. PostalProviderTest and
   * UnisenderGoProviderTest check the gateway's values on those fixtures.
   */
  private static final Map<String, Set<String>> DELIBERATE_DIFFERENCES = Map.of(
      "sendgrid", Set.of("message_id"),
      "ses", Set.of("occurred_at"),
      "postal", Set.of("message_id", "occurred_at", "metadata"),
      "unisender_go", Set.of("message_id", "metadata"));

  @TestFactory
  Stream<DynamicTest> everyFixtureNormalizesAsExpected() throws IOException, URISyntaxException {
    Path root = Path.of(getClass().getClassLoader().getResource("providers").toURI());
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory).filter(dir -> Files.exists(dir.resolve("_source.json"))).sorted()
          .toList().stream().flatMap(this::testsOf);
    }
  }

  private Stream<DynamicTest> testsOf(Path dir) {
    String provider = dir.getFileName().toString();
    JsonObject source = read(dir.resolve("_source.json"));
    return ConformanceCorpus.cases(provider).map(c -> DynamicTest.dynamicTest(provider + "/" + c.name(), () -> {
      JsonObject settings = source.copy().mergeIn(c.json().getJsonObject("source_settings", new JsonObject()), true);
      WebhookProvider parser = ProviderRegistry.create(SourceConfig.from(new ConfigSection(settings, "sources[0]")), null);
      ConformanceCorpus.check(parser, c, DELIBERATE_DIFFERENCES.getOrDefault(provider, Set.of()));
    }));
  }

  private static JsonObject read(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
