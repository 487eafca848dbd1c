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

  @Test
  void aKeyLongerThanAnIndexEntryIsReplacedByItsHashTheSameEveryTime() {
    String longKey = "k".repeat(EventKeys.MAX_INDEXED_BYTES + 1);
    assertThat(EventKeys.indexable(longKey)).startsWith("sha256:").hasSize(71).isEqualTo(EventKeys.indexable(longKey));
    assertThat(EventKeys.indexable("k".repeat(EventKeys.MAX_INDEXED_BYTES))).hasSize(EventKeys.MAX_INDEXED_BYTES);
  }

  @Test
  void aLongRecipientIsCutAtACharacterBoundaryWithinTheLimit() {
    String recipient = "\u00e9".repeat(EventKeys.MAX_INDEXED_BYTES);
    String cut = EventKeys.truncated(recipient);
    assertThat(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(EventKeys.MAX_INDEXED_BYTES);
    assertThat(recipient).startsWith(cut);
  }
}
