package io.emailgateway.config;

/** Invalid or missing configuration; the message names the key and is all an operator needs. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }

  public static ConfigException invalid(String key, String problem) {
    return new ConfigException("invalid configuration: " + key + ": " + problem);
  }

  public static ConfigException missing(String key) {
    return new ConfigException("invalid configuration: " + key + " is required");
  }
}
