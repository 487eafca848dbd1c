package io.emailgateway.provider;

import static java.util.Map.entry;

import io.emailgateway.config.ConfigException;
import io.emailgateway.config.SourceConfig;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/** The provider name of a source's configuration → the class that verifies and parses it. */
public final class ProviderRegistry {
  private static final Map<String, BiFunction<SourceConfig, Vertx, WebhookProvider>> FACTORIES = new TreeMap<>(Map.ofEntries(
      entry("brevo", plain(BrevoProvider::new)),
      entry("mailersend", plain(MailerSendProvider::new)),
      entry("mailgun", plain(MailgunProvider::new)),
      entry("mailjet", plain(MailjetProvider::new)),
      entry("mailtrap", plain(MailtrapProvider::new)),
      entry("mandrill", plain(MandrillProvider::new)),
      entry("postal", plain(PostalProvider::new)),
      entry("postmark", plain(PostmarkProvider::new)),
      entry("resend", plain(ResendProvider::new)),
      entry("sendgrid", plain(SendGridProvider::new)),
      // SES fetches SNS signing certificates (and confirms subscriptions) with a Vert.x WebClient.
      entry("ses", (source, vertx) -> vertx == null ? new SesProvider(source) : new SesProvider(source, vertx)),
      entry("sparkpost", plain(SparkPostProvider::new)),
      entry("standard", plain(StandardProvider::new)),
      entry("unisender_go", plain(UnisenderGoProvider::new))));

  private ProviderRegistry() {}

  /**
   * Creates the provider of one source, validating its credentials. Throws
   * {@link MissingCredentialsException} when none are configured, {@link ConfigException} when
   * the provider is unknown or a credential is malformed. {@code vertx} may be null where no
   * provider does I/O (parsing tests).
   */
  public static WebhookProvider create(SourceConfig source, Vertx vertx) {
    BiFunction<SourceConfig, Vertx, WebhookProvider> factory = FACTORIES.get(source.provider());
    if (factory == null) {
      throw ConfigException.invalid(source.settings().key("provider"),
          "unknown provider '" + source.provider() + "', expected one of " + FACTORIES.keySet());
    }
    return factory.apply(source, vertx);
  }

  public static Set<String> names() {
    return FACTORIES.keySet();
  }

  private static BiFunction<SourceConfig, Vertx, WebhookProvider> plain(Function<SourceConfig, WebhookProvider> factory) {
    return (source, vertx) -> factory.apply(source);
  }
}
