package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.EmailEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Re-parse (README "Re-parse") over every provider's fixtures: each event a fixture parses to,
 * re-parsed from its {@code esp_event} as the database gives it back (jsonb reorders object keys),
 * under its stored key and with its stored time as the fallback, comes out as the same normalized
 * event with the same key. A provider whose reparse lost a field, or rebuilt a body its parse reads
 * differently, fails here on its own fixture.
 */
class ReparseConformanceTest {

  @TestFactory
  Stream<DynamicTest> everyStoredEventReparsesToItself() throws IOException, URISyntaxException {
    Path root = Path.of(getClass().getClassLoader().getResource("providers").toURI());
    try (Stream<Path> dirs = Files.list(root)) {
      List<Path> providers = dirs.filter(dir -> Files.exists(dir.resolve("_source.json"))).sorted().toList();
      assertThat(providers).hasSize(ProviderRegistry.names().size());
      return providers.stream().flatMap(this::testsOf);
    }
  }

  private Stream<DynamicTest> testsOf(Path dir) {
    String name = dir.getFileName().toString();
    JsonObject source = read(dir.resolve("_source.json"));
    return ConformanceCorpus.cases(name)
        .filter(c -> !c.json().containsKey("expected_status"))
        .map(c -> DynamicTest.dynamicTest(name + "/" + c.name(), () -> {
          JsonObject settings = source.copy().mergeIn(c.json().getJsonObject("source_settings", new JsonObject()), true);
          WebhookProvider provider = ProviderRegistry.create(SourceConfig.from(new ConfigSection(settings, "sources[0]")), null);
          for (EmailEvent original : provider.parse(c.request())) {
            assertReparsesToItself(provider, original);
          }
        }));
  }

  private static void assertReparsesToItself(WebhookProvider provider, EmailEvent original) {
    JsonObject stored = (JsonObject) asJsonb(new JsonObject(original.espEvent().encode()));
    List<EmailEvent> again = provider.reparse(stored, original.eventKey(), original.occurredAt());
    List<JsonObject> sameKey = new ArrayList<>();
    for (EmailEvent event : again) {
      if (event.eventKey().equals(original.eventKey())) {
        sameKey.add(withoutEspEvent(event));
      }
    }
    assertThat(sameKey).as("re-parsed events under key " + original.eventKey()).hasSize(1);
    assertThat(sameKey.get(0)).isEqualTo(withoutEspEvent(original));
  }

  private static JsonObject withoutEspEvent(EmailEvent event) {
    JsonObject json = event.toJson();
    json.remove("esp_event");
    return json;
  }

  /** Object keys in jsonb's order (shorter first, then bytewise), at every level. */
  private static Object asJsonb(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> ordered = new LinkedHashMap<>();
      object.fieldNames().stream()
          .sorted(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()))
          .forEach(key -> ordered.put(key, asJsonb(object.getValue(key))));
      return new JsonObject(ordered);
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(item -> copy.add(asJsonb(item)));
      return copy;
    }
    return value;
  }

  private static JsonObject read(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
