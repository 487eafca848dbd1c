package io.emailgateway.provider;

import static java.util.Map.entry;

import io.emailgateway.config.ConfigException;
import io.emailgateway.config.SourceConfig;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** The provider name of a source's configuration → the class that verifies and parses it. */
public final class ProviderRegistry {
  private static final Map<String, Function<SourceConfig, WebhookProvider>> FACTORIES = new TreeMap<>(Map.ofEntries(
      entry("brevo", BrevoProvider::new),
      entry("mailersend", MailerSendProvider::new),
      entry("mailgun", MailgunProvider::new),
      entry("mailjet", MailjetProvider::new),
      entry("mailtrap", MailtrapProvider::new),
      entry("mandrill", MandrillProvider::new),
      entry("postal", PostalProvider::new),
      entry("postmark", PostmarkProvider::new),
      entry("resend", ResendProvider::new),
      entry("sendgrid", SendGridProvider::new),
      entry("ses", SesProvider::new),
      entry("sparkpost", SparkPostProvider::new),
      entry("standard", StandardProvider::new),
      entry("unisender_go", UnisenderGoProvider::new)));
      // one line per provider
      entry("ses", SesProvider::new)
      entry("brevo", BrevoProvider::new),
      entry("mailjet", MailjetProvider::new),
      entry("mailtrap", MailtrapProvider::new),
      entry("sparkpost", SparkPostProvider::new)
      entry("mailersend", MailerSendProvider::new),
      entry("postal", PostalProvider::new),
      entry("resend", ResendProvider::new),
      entry("standard", StandardProvider::new),
      entry("unisender_go", UnisenderGoProvider::new)
      ));

  private ProviderRegistry() {}

  /**
   * Creates the provider of one source, validating its credentials. Throws
   * {@link MissingCredentialsException} when none are configured, {@link ConfigException} when
   * the provider is unknown or a credential is malformed.
   */
  public static WebhookProvider create(SourceConfig source, io.vertx.core.Vertx vertx) {
    Function<SourceConfig, WebhookProvider> factory = FACTORIES.get(source.provider());
    if (factory == null) {
      throw ConfigException.invalid(source.settings().key("provider"),
          "unknown provider '" + source.provider() + "', expected one of " + FACTORIES.keySet());
    }
    return factory.apply(source);
  }

  public static java.util.Set<String> names() {
    return FACTORIES.keySet();
  }
}
