package io.emailgateway.provider;

import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A provider built from its corpus folder's {@code _source.json}, for parsing tests that bypass authentication. */
final class CorpusProviders {
  private CorpusProviders() {}

  static WebhookProvider parser(String provider) {
    try (var in = CorpusProviders.class.getClassLoader().getResourceAsStream("providers/" + provider + "/_source.json")) {
      JsonObject source = new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      return ProviderRegistry.create(SourceConfig.from(new ConfigSection(source, "sources[0]")), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
