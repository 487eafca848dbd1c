package io.emailgateway.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class EventKeysTest {

  @Test
  void contentHashIgnoresKeyOrderAndWhitespace() {
    JsonObject a = new JsonObject("{\"b\": 1, \"a\": {\"y\": [1, {\"q\": 2, \"p\": 1}], \"x\": \"v\"}}");
    JsonObject b = new JsonObject("{\"a\":{\"x\":\"v\",\"y\":[1,{\"p\":1,\"q\":2}]},\"b\":1}");
    assertThat(EventKeys.contentHash(a)).isEqualTo(EventKeys.contentHash(b)).startsWith("sha256:").hasSize(71);
  }

  @Test
  void contentHashChangesWithAnyValue() {
    assertThat(EventKeys.contentHash(new JsonObject().put("a", 1))).isNotEqualTo(EventKeys.contentHash(new JsonObject().put("a", 2)));
  }
}
