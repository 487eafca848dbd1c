package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonFieldsTest {
  @Test
  void eachObjectOfAnArrayComesWithItsTextExactlyAsInTheBody() {
    Buffer body = Buffer.buffer("[{\"a\": 1, \"ü\": \"x\"},\r\n{\"b\":[1,{\"c\":null}]}]\r\n");
    List<JsonFields.ObjectText> items = JsonFields.objectsWithText(body, "events");
    assertThat(items).extracting(JsonFields.ObjectText::text)
        .containsExactly("{\"a\": 1, \"ü\": \"x\"}", "{\"b\":[1,{\"c\":null}]}");
    assertThat(items.get(1).object()).isEqualTo(new JsonObject("{\"b\":[1,{\"c\":null}]}"));
  }

  @Test
  void bodiesThatAreNotArraysOfObjectsAreRefusedAsBefore() {
    assertThatThrownBy(() -> JsonFields.objectsWithText(Buffer.buffer("{\"a\":1}"), "events"))
        .extracting(e -> ((WebhookException) e).publicMessage()).isEqualTo("expected a JSON array of events");
    assertThatThrownBy(() -> JsonFields.objectsWithText(Buffer.buffer("[{\"a\":1}, 2]"), "events"))
        .extracting(e -> ((WebhookException) e).publicMessage()).isEqualTo("events[1] is not a JSON object");
    assertThatThrownBy(() -> JsonFields.objectsWithText(Buffer.buffer("[{\"a\":1}] trailing"), "events"))
        .extracting(e -> ((WebhookException) e).publicMessage()).isEqualTo("body is not valid JSON");
    assertThatThrownBy(() -> JsonFields.objectsWithText(Buffer.buffer("[{\"a\":"), "events"))
        .extracting(e -> ((WebhookException) e).publicMessage()).isEqualTo("body is not valid JSON");
  }

  @Test
  void eventsNestedDeeperThanTheLimitAreRefusedAsTheWholeBodyWouldBe() {
    String deep = "{\"a\":".repeat(JsonFields.MAX_DEPTH) + "1" + "}".repeat(JsonFields.MAX_DEPTH);
    assertThatThrownBy(() -> JsonFields.objectsWithText(Buffer.buffer("[" + deep + "]"), "events"))
        .extracting(e -> ((WebhookException) e).publicMessage())
        .isEqualTo("body is nested deeper than " + JsonFields.MAX_DEPTH + " levels");
    String allowed = "{\"a\":".repeat(JsonFields.MAX_DEPTH - 1) + "1" + "}".repeat(JsonFields.MAX_DEPTH - 1);
    assertThat(JsonFields.objectsWithText(Buffer.buffer("[" + allowed + "]"), "events")).hasSize(1);
    assertThat(JsonFields.array(Buffer.buffer("[" + allowed + "]"))).hasSize(1);
  }

  @Test
  void aBodyWithAnythingAfterTheArrayIsRefused() {
    assertThatThrownBy(() -> JsonFields.objectsWithText(Buffer.buffer("[{\"a\":1}] {\"b\":2}"), "events"))
        .isInstanceOf(WebhookException.class);
  }
}
