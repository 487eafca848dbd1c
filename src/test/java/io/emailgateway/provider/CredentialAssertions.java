package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** Building sources from JSON and checking what {@code authenticate} decided, for the unsigned ESPs' tests. */
final class CredentialAssertions {
  private CredentialAssertions() {}

  static SourceConfig source(String json) {
    return SourceConfig.from(new ConfigSection(new JsonObject(json), "sources[0]"));
  }

  static String basic(String username, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static WebhookRequest jsonWith(Map<String, String> headers, String body) {
    return TestRequests.json(headers, body.getBytes(StandardCharsets.UTF_8));
  }

  static WebhookRequest authorized(String authorization, String body) {
    return jsonWith(Map.of("Authorization", authorization), body);
  }

  static void assertAccepted(Future<Void> outcome) {
    assertThat(outcome.isComplete()).as("authentication decided synchronously").isTrue();
    assertThat(outcome.succeeded()).as("authenticated, but failed with %s", outcome.cause()).isTrue();
  }

  /** The request was refused with 401 for {@code reasonPart} (the logged reason, never sent to the caller). */
  static void assertUnauthorized(Future<Void> outcome, String reasonPart) {
    assertThat(outcome.isComplete()).as("authentication decided synchronously").isTrue();
    assertThat(outcome.failed()).as("authentication must fail").isTrue();
    assertThat(outcome.cause()).isInstanceOfSatisfying(WebhookException.class, e -> {
      assertThat(e.status()).isEqualTo(401);
      assertThat(e.publicMessage()).isEqualTo("unauthorized");
      assertThat(e.reason()).contains(reasonPart);
    });
  }
}
