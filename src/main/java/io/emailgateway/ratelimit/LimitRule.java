package io.emailgateway.ratelimit;

import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import java.time.Duration;

/** One configured limit, {@code {requests: N, window: 60s, count: requests|events}}. */
public record LimitRule(SlidingWindow window, boolean countsEvents) {

  /** The rule under {@code name} in {@code parent}, or null when none is configured. */
  public static LimitRule from(ConfigSection parent, String name) {
    if (!parent.has(name)) {
      return null;
    }
    ConfigSection section = parent.section(name);
    int requests = section.integer("requests", 0, 1, Integer.MAX_VALUE);
    if (requests == 0) {
      throw ConfigException.missing(section.key("requests"));
    }
    Duration window = section.duration("window", Duration.ofSeconds(60));
    if (window.toMillis() < 1000) {
      throw ConfigException.invalid(section.key("window"), "must be at least 1s");
    }
    String count = section.string("count", "requests");
    if (!count.equals("requests") && !count.equals("events")) {
      throw ConfigException.invalid(section.key("count"), "expected requests or events, got '" + count + "'");
    }
    return new LimitRule(new SlidingWindow(requests, window), count.equals("events"));
  }
}
