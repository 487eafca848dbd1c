package io.emailgateway.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations of the config file: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d}. */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String key, Object value) {
    if (value instanceof Number seconds) {
      return Duration.ofSeconds(seconds.longValue());
    }
    Matcher m = value == null ? null : DURATION.matcher(value.toString().trim());
    if (m == null || !m.matches()) {
      throw ConfigException.invalid(key, "expected a duration such as 500ms, 10s, 5m, 1h, got '" + value + "'");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}
