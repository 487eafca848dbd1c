package io.emailgateway.auth;

import io.emailgateway.config.ConfigSection;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code Authorization: Bearer <token>} against a list of tokens, in constant time. */
public final class BearerTokenVerifier {
  private final List<byte[]> tokens;

  private BearerTokenVerifier(List<byte[]> tokens) {
    this.tokens = tokens;
  }

  public static BearerTokenVerifier fromConfig(ConfigSection source, String key) {
    return new BearerTokenVerifier(source.strings(key).stream()
        .map(token -> token.getBytes(StandardCharsets.UTF_8)).toList());
  }

  public boolean isConfigured() {
    return !tokens.isEmpty();
  }

  public boolean verify(String authorizationHeader) {
    if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = authorizationHeader.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return ConstantTime.equalsAny(tokens, presented);
  }
}
