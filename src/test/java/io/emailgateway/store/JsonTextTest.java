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

  @Test
  void espTextWithAnExponentJsonbCannotHoldIsEncodedAgain() {
    for (String number : new String[] {"1e999999", "1E+1001", "-2.5e-16384", "1e0000000000001001"}) {
      String text = "{\"n\":" + number + ",\"ok\":true}";
      assertThat(JsonText.asReceived(text, new JsonObject(text))).as(number).isNotEqualTo(text);
    }
  }

  @Test
  void espTextWithOrdinaryExponentsAndLettersEInStringsOrLiteralsIsStoredAsItIs() {
    String text = "{\"n\":1.5e+10,\"m\":-3E-7,\"big\":1e1000,\"t\":true,\"f\":false,"
        + "\"s\":\"e99999 and \\\"quoted e1000000\\\" text\"}";
    assertThat(JsonText.asReceived(text, new JsonObject(text))).isSameAs(text);
  }

  @Test
  void anEscapedBackslashBeforeUIsNotAUnicodeEscape() {
    String text = "{\"path\":\"C:\\\\u0000dir\"}";
    assertThat(JsonText.asReceived(text, new JsonObject(text))).isSameAs(text);
  }

  @Test
  void espTextWithAByteOrderMarkIsEncodedAgain() {
    String text = "\uFEFF{\"a\":1}";
    assertThat(JsonText.asReceived(text, new JsonObject("{\"a\":1}"))).isEqualTo("{\"a\":1}");
  }
}
