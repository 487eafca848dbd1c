package io.emailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutionTest {
  private final EnvSubstitution env = new EnvSubstitution(Map.of("KEY", "s3cr:et}$x", "PORT", "9090"));

  @Test
  void referencesAreReplacedInNestedStringsAndLists() {
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("port", "${PORT}"))
        .put("sources", new JsonArray().add(new JsonObject().put("keys", new JsonArray().add("${KEY}").add("pre-${PORT}-post"))));

    JsonObject result = env.apply(config);

    assertThat(result.getJsonObject("http").getString("port")).isEqualTo("9090");
    assertThat(result.getJsonArray("sources").getJsonObject(0).getJsonArray("keys"))
        .containsExactly("s3cr:et}$x", "pre-9090-post");
  }

  @Test
  void defaultIsUsedOnlyWhenTheVariableIsUnset() {
    JsonObject result = env.apply(new JsonObject().put("a", "${MISSING:-fallback}").put("b", "${PORT:-1}").put("c", "${MISSING:-}"));

    assertThat(result.getString("a")).isEqualTo("fallback");
    assertThat(result.getString("b")).isEqualTo("9090");
    assertThat(result.getString("c")).isEmpty();
  }

  @Test
  void unsetVariableWithoutDefaultNamesTheKeyAndTheVariable() {
    JsonObject config = new JsonObject().put("sources", new JsonArray().add(new JsonObject().put("public_keys", new JsonArray().add("${NOPE}"))));

    assertThatThrownBy(() -> env.apply(config))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: sources[0].public_keys[0]: environment variable NOPE is not set");
  }

  @Test
  void nonStringValuesAreLeftAlone() {
    JsonObject result = env.apply(new JsonObject().put("n", 5).put("b", true));
    assertThat(result).isEqualTo(new JsonObject().put("n", 5).put("b", true));
  }
}
