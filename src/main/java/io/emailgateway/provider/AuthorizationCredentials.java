package io.emailgateway.provider;

import io.emailgateway.auth.BasicAuthVerifier;
import io.emailgateway.auth.BearerTokenVerifier;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;

/**
 * The {@code Authorization} header of ESPs that do not sign their webhooks (SparkPost, Mailjet,
 * Brevo, Mailtrap): HTTP basic auth from {@code user:pass@} in the configured URL, or a bearer
 * token the ESP was told to send. Either configured kind verifies; both lists are compared in
 * full and in constant time, so timing tells neither which entry nor which kind matched.
 */
final class AuthorizationCredentials {
  private final BasicAuthVerifier basic;
  /** Null where the ESP cannot send a bearer token (Mailjet, Mailtrap). */
  private final BearerTokenVerifier bearer;

  private AuthorizationCredentials(BasicAuthVerifier basic, BearerTokenVerifier bearer) {
    this.basic = basic;
    this.bearer = bearer;
  }

  /** {@code basic_auth} and {@code bearer_tokens}; throws when both are empty. */
  static AuthorizationCredentials basicOrBearer(SourceConfig source) {
    ConfigSection settings = source.settings();
    AuthorizationCredentials credentials = new AuthorizationCredentials(
        BasicAuthVerifier.fromConfig(settings, "basic_auth"), BearerTokenVerifier.fromConfig(settings, "bearer_tokens"));
    if (!credentials.isConfigured()) {
      throw new MissingCredentialsException(settings.key("basic_auth") + " and bearer_tokens");
    }
    return credentials;
  }

  /** {@code basic_auth} only; empty is allowed (the caller decides whether something else authenticates). */
  static AuthorizationCredentials basicOnly(SourceConfig source) {
    return new AuthorizationCredentials(BasicAuthVerifier.fromConfig(source.settings(), "basic_auth"), null);
  }

  boolean isConfigured() {
    return basic.isConfigured() || (bearer != null && bearer.isConfigured());
  }

  /** Throws 401 unless the request's {@code Authorization} header carries a configured credential. */
  void verify(WebhookRequest request) {
    String header = request.header("Authorization");
    if (header == null || header.isBlank()) {
      throw WebhookException.unauthorized("missing Authorization header");
    }
    boolean basicMatches = basic.verify(header);
    boolean bearerMatches = bearer != null && bearer.verify(header);
    if (!(basicMatches || bearerMatches)) {
      throw WebhookException.unauthorized("Authorization header matches no configured credential");
    }
  }
}
