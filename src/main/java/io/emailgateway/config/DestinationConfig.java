package io.emailgateway.config;

import io.emailgateway.event.EventType;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One forwarding destination ({@code destinations[]}, DESIGN.md "Configuration"): where the
 * normalized events go, the Standard Webhooks secrets that sign them (every secret signs, so a
 * receiver can rotate), which types and sources pass (empty = all), and how hard to try.
 * {@code maxInFlight} bounds concurrent requests to this destination per gateway instance.
 */
public record DestinationConfig(String id, URI url, List<byte[]> secrets, Set<String> types, Set<String> sources,
    int maxInFlight, Duration timeout, RetryPolicy retry) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final String SECRET_PREFIX = "whsec_";

  public static List<DestinationConfig> all(ConfigSection root) {
    List<DestinationConfig> destinations = root.sections("destinations").stream().map(DestinationConfig::from).toList();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < destinations.size(); i++) {
      if (!ids.add(destinations.get(i).id())) {
        throw ConfigException.invalid("destinations[" + i + "].id", "duplicate destination id '" + destinations.get(i).id() + "'");
      }
    }
    return destinations;
  }

  static DestinationConfig from(ConfigSection section) {
    String id = section.requiredString("id");
    if (!ID.matcher(id).matches()) {
      throw ConfigException.invalid(section.key("id"), "use letters, digits, '-', '_' and '.', at most 64");
    }
    return new DestinationConfig(id, url(section), secrets(section), types(section),
        Set.copyOf(section.strings("sources")), section.integer("max_in_flight", 4, 1, 1024),
        HandlerSettings.positive(section, "timeout", Duration.ofSeconds(10)),
        RetryPolicy.from(section, 12, Duration.ofSeconds(5), Duration.ofHours(1)));
  }

  /** True when an event of this type from this source is forwarded here. */
  public boolean accepts(String type, String source) {
    return (types.isEmpty() || types.contains(type)) && (sources.isEmpty() || sources.contains(source));
  }

  private static URI url(ConfigSection section) {
    String text = section.requiredString("url");
    try {
      URI url = URI.create(text);
      if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
        throw new IllegalArgumentException("not an absolute http(s) URL");
      }
      return url;
    } catch (IllegalArgumentException e) {
      throw ConfigException.invalid(section.key("url"), "expected an absolute http:// or https:// URL");
    }
  }

  /**
   * {@code signing_secret} and/or {@code signing_secrets}: {@code whsec_} + base64 of 24 to 64
   * random bytes, as the Standard Webhooks spec defines them. Never echoed in an error.
   */
  private static List<byte[]> secrets(ConfigSection section) {
    Set<String> texts = new LinkedHashSet<>(section.strings("signing_secrets"));
    String single = section.string("signing_secret", "");
    if (!single.isBlank()) {
      texts.add(single.trim());
    }
    if (texts.isEmpty()) {
      throw ConfigException.missing(section.key("signing_secret"));
    }
    return texts.stream().map(text -> decodeSecret(section, text)).toList();
  }

  private static byte[] decodeSecret(ConfigSection section, String text) {
    String base64 = text.startsWith(SECRET_PREFIX) ? text.substring(SECRET_PREFIX.length()) : text;
    try {
      byte[] key = Base64.getDecoder().decode(base64);
      if (key.length >= 24 && key.length <= 64) {
        return key;
      }
    } catch (IllegalArgumentException e) {
      // reported below without the value
    }
    throw ConfigException.invalid(section.key("signing_secret"), "expected whsec_ followed by base64 of 24 to 64 bytes");
  }

  private static Set<String> types(ConfigSection section) {
    Set<String> types = new HashSet<>();
    for (String type : section.strings("types")) {
      try {
        types.add(EventType.fromWireName(type).wireName());
      } catch (IllegalArgumentException e) {
        throw ConfigException.invalid(section.key("types"), "unknown event type '" + type + "'");
      }
    }
    return Set.copyOf(types);
  }

  /** Records print every component; this one holds secrets (and the URL may carry credentials). */
  @Override
  public String toString() {
    return "DestinationConfig[id=" + id + ", host=" + url.getHost() + ", types=" + types + ", sources=" + sources + "]";
  }
}
