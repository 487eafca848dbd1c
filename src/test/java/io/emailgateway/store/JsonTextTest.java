package io.emailgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  void espTextAsReceivedIsStoredAsItIs() {
    String text = "{\"email\":\"a@example.com\",  \"n\": 1.50, \"smtp-id\":\"\\u003cx@y\\u003e\"}";
    assertThat(JsonText.asReceived(text, new JsonObject(text))).isSameAs(text);
  }

  @Test
  void espTextWithANulEscapeIsEncodedAgainWithoutTheNul() {
    String text = "{\"reason\":\"bad\\u0000byte\"}";
    assertThat(JsonText.asReceived(text, new JsonObject(text))).isEqualTo("{\"reason\":\"badbyte\"}");
  }

  @Test
  void espTextWithASurrogateEscapeIsEncodedAgainFromTheParsedObject() {
    String text = "{\"subject\":\"lone \\ud800 half\"}";
    assertThat(JsonText.asReceived(text, new JsonObject(text))).isNotEqualTo(text).doesNotContain("\\ud800");
  }

  @Test
  void withoutEspTextTheObjectIsEncoded() {
    assertThat(JsonText.asReceived(null, new JsonObject().put("a", 1))).isEqualTo("{\"a\":1}");
  }
}
