package io.emailgateway.provider.it;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One webhook request as an ESP sends it: its headers and the exact body bytes. Immutable. */
record WebhookPost(Map<String, String> headers, byte[] body) {

  WebhookPost {
    headers = Map.copyOf(headers);
  }

  static WebhookPost of(String contentType, byte[] body) {
    return new WebhookPost(Map.of("Content-Type", contentType), body);
  }

  static WebhookPost of(String contentType, String body) {
    return of(contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  /** The same request with {@code name} set to {@code value} (replacing it, whatever its case). */
  WebhookPost withHeader(String name, String value) {
    Map<String, String> changed = new LinkedHashMap<>(without(name));
    changed.put(name, value);
    return new WebhookPost(changed, body);
  }

  WebhookPost withoutHeader(String name) {
    return new WebhookPost(without(name), body);
  }

  /** The same headers (signature included) over other bytes: a body changed after signing. */
  WebhookPost withBody(String changed) {
    return new WebhookPost(headers, changed.getBytes(StandardCharsets.UTF_8));
  }

  String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  private Map<String, String> without(String name) {
    Map<String, String> rest = new LinkedHashMap<>(headers);
    rest.keySet().removeIf(key -> key.equalsIgnoreCase(name));
    return rest;
  }
}
