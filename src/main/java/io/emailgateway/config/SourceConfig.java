package io.emailgateway.config;

import java.util.regex.Pattern;

/**
 * One configured webhook URL, {@code /webhooks/{id}}: which provider parses it and the settings
 * that provider reads (its credential lists and options, DESIGN.md "Credential keys per provider").
 */
public record SourceConfig(String id, String provider, ConfigSection settings) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  public static SourceConfig from(ConfigSection section) {
    String id = section.requiredString("id");
    if (!ID.matcher(id).matches()) {
      throw ConfigException.invalid(section.key("id"), "use letters, digits, '-', '_' and '.', at most 64");
    }
    return new SourceConfig(id, section.requiredString("provider"), section);
  }
}
