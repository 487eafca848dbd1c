package io.emailgateway.http;

import io.emailgateway.config.SourceConfig;
import io.emailgateway.provider.MissingCredentialsException;
import io.emailgateway.ratelimit.Cidrs;
import io.emailgateway.ratelimit.LimitRule;
import io.emailgateway.provider.ProviderRegistry;
import io.emailgateway.provider.WebhookProvider;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The enabled sources, by id, each with its own provider instance. Each ingest verticle builds
 * its own set, so providers never share mutable crypto objects across event loops.
 */
public final class Sources {
  /** One enabled webhook URL. */
  public record Source(SourceConfig config, WebhookProvider provider, LimitRule rateLimit, Cidrs allowedCidrs) {
    public String id() {
      return config.id();
    }

    public String providerName() {
      return provider.name();
    }
  }

  private Sources() {}

  /**
   * Builds every source; one whose credential lists are all empty is left out (its URL answers
   * 404) and reported to {@code onDisabled}. Any other configuration error is thrown.
   */
  public static Map<String, Source> create(List<SourceConfig> configs, Vertx vertx,
      BiConsumer<SourceConfig, String> onDisabled) {
    Map<String, Source> sources = new LinkedHashMap<>();
    for (SourceConfig config : configs) {
      if (!config.settings().bool("enabled", true)) {
        onDisabled.accept(config, "enabled: false");
        continue;
      }
      try {
        LimitRule rateLimit = LimitRule.from(config.settings(), "rate_limit");
        Cidrs allowed = Cidrs.parse(config.settings().key("allowed_cidrs"), config.settings().strings("allowed_cidrs"));
        sources.put(config.id(), new Source(config, ProviderRegistry.create(config, vertx), rateLimit, allowed));
      } catch (MissingCredentialsException e) {
        onDisabled.accept(config, e.getMessage());
      }
    }
    return Map.copyOf(sources);
  }
}
