package io.emailgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in every string value of the parsed YAML.
 * Substituting after parsing means a secret with YAML-special characters cannot change the
 * document's structure. An unset {@code ${VAR}} without a default is a configuration error
 * naming both the key and the variable.
 */
public final class EnvSubstitution {
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  private final Map<String, String> environment;

  public EnvSubstitution(Map<String, String> environment) {
    this.environment = environment;
  }

  public JsonObject apply(JsonObject config) {
    return (JsonObject) substitute(config, "");
  }

  private Object substitute(Object value, String path) {
    if (value instanceof JsonObject object) {
      JsonObject result = new JsonObject();
      object.forEach(e -> result.put(e.getKey(), substitute(e.getValue(), join(path, e.getKey()))));
      return result;
    }
    if (value instanceof JsonArray array) {
      JsonArray result = new JsonArray();
      for (int i = 0; i < array.size(); i++) {
        result.add(substitute(array.getValue(i), path + "[" + i + "]"));
      }
      return result;
    }
    if (value instanceof String text) {
      return substituteString(text, path);
    }
    return value;
  }

  private String substituteString(String text, String path) {
    Matcher matcher = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String variable = matcher.group(1);
      String value = environment.get(variable);
      if (value == null) {
        value = matcher.group(2) != null ? matcher.group(3) : null;
      }
      if (value == null) {
        throw ConfigException.invalid(path, "environment variable " + variable + " is not set");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
