package io.emailgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of one section of the configuration that name the full key in every error, so a
 * mistake stops start-up with one line such as {@code sources[1].signing_keys is required}.
 */
public final class ConfigSection {
  private final JsonObject json;
  private final String path;

  public ConfigSection(JsonObject json, String path) {
    this.json = json == null ? new JsonObject() : json;
    this.path = path;
  }

  public String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  public boolean has(String name) {
    return json.getValue(name) != null;
  }

  public JsonObject json() {
    return json;
  }

  public ConfigSection section(String name) {
    Object value = json.getValue(name);
    if (value != null && !(value instanceof JsonObject)) {
      throw ConfigException.invalid(key(name), "expected a mapping");
    }
    return new ConfigSection((JsonObject) value, key(name));
  }

  public String requiredString(String name) {
    String value = string(name, null);
    if (value == null || value.isBlank()) {
      throw ConfigException.missing(key(name));
    }
    return value;
  }

  public String string(String name, String fallback) {
    Object value = json.getValue(name);
    if (value == null) {
      return fallback;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      throw ConfigException.invalid(key(name), "expected a single value");
    }
    return value.toString();
  }

  public int integer(String name, int fallback, int min, int max) {
    Object value = json.getValue(name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString().trim());
      if (parsed < min || parsed > max) {
        throw ConfigException.invalid(key(name), "must be between " + min + " and " + max + ", got " + parsed);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw ConfigException.invalid(key(name), "expected an integer, got '" + value + "'");
    }
  }

  public boolean bool(String name, boolean fallback) {
    Object value = json.getValue(name);
    if (value == null) {
      return fallback;
    }
    return switch (value.toString().trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw ConfigException.invalid(key(name), "expected true or false, got '" + value + "'");
    };
  }

  public Duration duration(String name, Duration fallback) {
    Object value = json.getValue(name);
    return value == null ? fallback : Durations.parse(key(name), value);
  }

  /**
   * A list of strings; entries that are empty after environment substitution are dropped, so
   * {@code ["${KEY_OLD:-}", "${KEY_NEW}"]} works during a rotation. Absent = empty list.
   */
  public List<String> strings(String name) {
    List<String> result = new ArrayList<>();
    for (Object item : array(name)) {
      if (item instanceof JsonObject || item instanceof JsonArray) {
        throw ConfigException.invalid(key(name), "expected a list of strings");
      }
      if (item != null && !item.toString().isBlank()) {
        result.add(item.toString().trim());
      }
    }
    return result;
  }

  /** A list of mappings, each as its own section keyed {@code name[i]}. */
  public List<ConfigSection> sections(String name) {
    List<ConfigSection> result = new ArrayList<>();
    JsonArray items = array(name);
    for (int i = 0; i < items.size(); i++) {
      if (!(items.getValue(i) instanceof JsonObject item)) {
        throw ConfigException.invalid(key(name) + "[" + i + "]", "expected a mapping");
      }
      result.add(new ConfigSection(item, key(name) + "[" + i + "]"));
    }
    return result;
  }

  private JsonArray array(String name) {
    Object value = json.getValue(name);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw ConfigException.invalid(key(name), "expected a list");
    }
    return array;
  }
}
