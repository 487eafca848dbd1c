package io.emailgateway.provider;

import io.emailgateway.config.ConfigException;

/**
 * A source whose credential lists are all empty (typically an unset {@code ${VAR:-}}). The
 * gateway never accepts unauthenticated webhooks: such a source is disabled and answers 404.
 */
public class MissingCredentialsException extends ConfigException {
  public MissingCredentialsException(String key) {
    super("no credentials configured: " + key + " is empty");
  }
}
