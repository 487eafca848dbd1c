package io.emailgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.quarantine.QuarantinedRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

/** The small pure parts of the admin API: cursors, CSV cells, the WHERE builder, header redaction. */
class ApiPartsTest {

  @Test
  void cursorRoundTripsAndForeignCursorsAreA400NamingCursor() {
    String cursor = Cursor.encode("a@example.com", "*", "complaint");
    assertThat(Cursor.decode(cursor, 3)).isEqualTo(new JsonArray().add("a@example.com").add("*").add("complaint"));
    assertThat(Cursor.decode(null, 1)).isNull();
    assertThatThrownBy(() -> Cursor.decode(cursor, 1)).isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).parameter()).isEqualTo("cursor"));
    assertThatThrownBy(() -> Cursor.decode("%%%", 1)).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> Cursor.decode("bm90IGpzb24", 1)).isInstanceOf(ApiException.class);
  }

  @Test
  void csvCellsAreQuotedAndFormulasDefused() {
    assertThat(SuppressionsCsv.cell("a@example.com")).isEqualTo("a@example.com");
    assertThat(SuppressionsCsv.cell("a,b")).isEqualTo("\"a,b\"");
    assertThat(SuppressionsCsv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(SuppressionsCsv.cell("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
    assertThat(SuppressionsCsv.cell(null)).isEmpty();
  }

  @Test
  void whereNumbersPlaceholdersOnlyForGivenFilters() {
    Where where = new Where().and("a = $", "x").and("b = $", null).and("c >= $", 3)
        .andAll("(d, e) > (?1, ?2)", "p", "q");
    assertThat(where.sql()).isEqualTo(" WHERE a = $1 AND c >= $2 AND (d, e) > ($3, $4)");
    assertThat(where.next(10)).isEqualTo("$5");
    assertThat(where.values().size()).isEqualTo(5);
    assertThat(new Where().sql()).isEmpty();
  }

  @Test
  void credentialHeadersAreRedactedAndOthersKept() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("authorization", "Basic abc").add("Proxy-Authorization", "x")
        .add("COOKIE", "s=1").add("X-Signature", "sig").add("X-Signature", "sig2");
    JsonArray stored = QuarantinedRequest.redactedHeaders(headers);
    assertThat(stored.encode()).doesNotContain("abc", "s=1").contains("sig", "sig2");
    MultiMap back = QuarantinedRequest.multiMap(stored);
    assertThat(back.get("Authorization")).isEqualTo(QuarantinedRequest.REDACTED);
    assertThat(back.getAll("x-signature")).containsExactly("sig", "sig2");
  }
}
