package io.emailgateway.reparse;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizedRowTest {

  @Test
  void metadataNumbersAsJsonbGivesThemBackAreNotAChange() {
    NormalizedRow parsed = NormalizedRow.of(event(new JsonObject("{\"n\":1e2,\"m\":1.50,\"s\":\"x\"}"), Instant.parse("2026-11-25T10:00:00.123456789Z")));
    JsonObject fields = parsed.fields().copy().put("metadata", new JsonObject("{\"s\":\"x\",\"m\":1.5,\"n\":100}"))
        .put("occurred_at", "2026-11-25T10:00:00.123456Z");

    assertThat(parsed.differences(new NormalizedRow(fields, Instant.parse("2026-11-25T10:00:00.123456Z")))).isEmpty();
  }

  @Test
  void differencesNameTheChangedColumnsInColumnOrder() {
    NormalizedRow parsed = NormalizedRow.of(event(new JsonObject(), Instant.parse("2026-11-25T10:00:00Z")));
    JsonObject fields = parsed.fields().copy().put("recipient", "wrong@example.com").put("type", "bounced");

    assertThat(parsed.differences(new NormalizedRow(fields, Instant.parse("2026-11-25T10:00:00Z"))))
        .containsExactly("type", "recipient");
  }

  @Test
  void textTheStoreStripsOfNulCompareWithoutIt() {
    NormalizedRow parsed = NormalizedRow.of(EmailEvent.builder("s", "sendgrid").type(EventType.BOUNCED)
        .occurredAt(Instant.EPOCH).description("bad\u0000byte").tags(List.of("a\u0000")).espEvent(new JsonObject()).build());

    assertThat(parsed.text("description")).isEqualTo("badbyte");
    assertThat(parsed.tags()).containsExactly("a");
  }

  private static EmailEvent event(JsonObject metadata, Instant occurredAt) {
    return EmailEvent.builder("s", "sendgrid").type(EventType.DELIVERED).occurredAt(occurredAt)
        .recipient("a@example.com").metadata(metadata).espEvent(new JsonObject()).build();
  }
}
