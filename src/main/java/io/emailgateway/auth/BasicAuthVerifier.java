package io.emailgateway.auth;

import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * HTTP basic auth against a list of {@code {username, password}} pairs (several, so credentials
 * rotate without downtime). Compared in constant time against every pair.
 */
public final class BasicAuthVerifier {
  private final List<byte[]> expected;

  private BasicAuthVerifier(List<byte[]> expected) {
    this.expected = expected;
  }

  /** Reads {@code basic_auth} of a source; entries whose username is empty after substitution are dropped. */
  public static BasicAuthVerifier fromConfig(ConfigSection source, String key) {
    List<byte[]> pairs = new ArrayList<>();
    for (ConfigSection entry : source.sections(key)) {
      String username = entry.string("username", "");
      String password = entry.string("password", "");
      if (username.isEmpty() && password.isEmpty()) {
        continue;
      }
      if (username.isEmpty() || password.isEmpty() || username.contains(":")) {
        throw ConfigException.invalid(entry.key("username"), "needs a username without ':' and a non-empty password");
      }
      pairs.add((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
    return new BasicAuthVerifier(List.copyOf(pairs));
  }

  public boolean isConfigured() {
    return !expected.isEmpty();
  }

  /** Whether the {@code Authorization} header carries one of the configured pairs. */
  public boolean verify(String authorizationHeader) {
    if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    byte[] presented;
    try {
      presented = Base64.getDecoder().decode(authorizationHeader.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return ConstantTime.equalsAny(expected, presented);
  }
}
