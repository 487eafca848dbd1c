package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The fixtures under {@code src/test/resources/providers/<provider>/} (format: ANYMAIL-CORPUS.md
 * there; most files come from django-anymail's tests). {@link #check} feeds one case to a provider's parser, bypassing
 * authentication, and compares every expected field.
 */
public final class ConformanceCorpus {
  private ConformanceCorpus() {}

  /** One corpus file. */
  public record Case(String name, JsonObject json) {
    public String contentType() { return json.getString("content_type"); }
    public byte[] body() { return json.getString("body").getBytes(StandardCharsets.UTF_8); }
    public String notes() { return json.getString("notes", ""); }

    public Map<String, String> headers() {
      Map<String, String> headers = new HashMap<>();
      json.getJsonObject("headers", new JsonObject()).forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
      return headers;
    }

    public WebhookRequest request() {
      return TestRequests.request(contentType(), headers(), body());
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Every case of one provider's folder (files starting with {@code _} excluded), sorted by name. */
  public static Stream<Case> cases(String esp) {
    try {
      Path dir = Path.of(ConformanceCorpus.class.getClassLoader().getResource("providers/" + esp).toURI());
      try (Stream<Path> files = Files.list(dir)) {
        return files.filter(f -> f.toString().endsWith(".json") && !f.getFileName().toString().startsWith("_")).sorted()
            .map(f -> new Case(f.getFileName().toString().replace(".json", ""), read(f)))
            .toList().stream();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject read(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses the case with {@code provider} and asserts what the corpus README says: the status
   * for refused cases, the event count where given, and each expected field of each event.
   * {@code skipped} names fields this gateway derives differently on purpose (the caller's test
   * documents why).
   */
  public static void check(WebhookProvider provider, Case c, Set<String> skipped) {
    if (c.json().containsKey("expected_status")) {
      int status = c.json().getInteger("expected_status");
      assertThatThrownBy(() -> provider.parse(c.request()))
          .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(status));
      return;
    }
    List<EmailEvent> events = provider.parse(c.request());
    if (c.json().containsKey("expected_event_count")) {
      assertThat(events).as("event count").hasSize(c.json().getInteger("expected_event_count"));
    }
    JsonArray expected = c.json().getJsonArray("expected", new JsonArray());
    assertThat(events.size()).as("event count").isGreaterThanOrEqualTo(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      JsonObject actual = events.get(i).toJson();
      JsonObject want = expected.getJsonObject(i);
      for (String field : want.fieldNames()) {
        if (skipped.contains(field) || field.equals("event_id")) {
          continue;
        }
        assertField(c.name() + " event " + i + " " + field, field, want.getValue(field), actual.getValue(field));
      }
      JsonArray contains = c.json().getJsonArray("expected_contains");
      if (contains != null && i < contains.size()) {
        contains.getJsonObject(i).forEach(e ->
            assertThat(String.valueOf(actual.getValue(e.getKey()))).as(c.name() + " " + e.getKey()).contains(e.getValue().toString()));
      }
    }
  }

  private static void assertField(String what, String field, Object want, Object actual) {
    switch (field) {
      case "occurred_at" -> assertThat(Timestamps.fromIso((String) actual)).as(what).isEqualTo(Timestamps.fromIso((String) want));
      case "recipient" -> assertThat(actual == null ? null : actual.toString().toLowerCase())
          .as(what).isEqualTo(want == null ? null : want.toString().toLowerCase());
      case "metadata" -> assertThat(actual).as(what).isEqualTo(want);
      default -> assertThat(actual).as(what).isEqualTo(want);
    }
  }

  /** The event id a case expects (anymail's {@code event_id}), for tests of the event key. */
  public static String expectedEventId(Case c, int index) {
    return c.json().getJsonArray("expected").getJsonObject(index).getString("event_id");
  }

  public static Set<String> none() {
    return Set.of();
  }
}
