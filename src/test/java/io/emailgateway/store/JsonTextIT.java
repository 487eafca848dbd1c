package io.emailgateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link JsonText#asReceived} against PostgreSQL's own jsonb input: whatever it keeps as received,
 * jsonb takes; and what it sends through the encoder is what jsonb refuses — one such text in a
 * group commit would fail it, and every retry of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JsonTextIT {
  private static final List<String> REFUSED_BY_JSONB = List.of(
      "{\"n\":1e999999}", "{\"n\":1e131072}", "{\"n\":-2.5e-16384}", "{\"s\":\"nul \\u0000 here\"}",
      "{\"s\":\"lone \\ud800 half\"}", "\uFEFF{\"a\":1}");
  private static final List<String> TAKEN_BY_JSONB = List.of(
      "{\"n\":1.5e+10,\"m\":-3E-7,\"big\":1e1000,\"small\":1e-1000,\"t\":true,\"f\":false,\"z\":null}",
      "{\"s\":\"e99999 and \\\"quoted e1000000\\\" text\",\"path\":\"C:\\\\u0000dir\"}",
      "{\"digits\":" + "9".repeat(999) + ",\"frac\":0." + "1".repeat(998) + "}",
      "  {\"ws\" : [ 1 , 2 ] }\r\n", "{\"emoji\":\"\uD83D\uDE00 ü\",\"dup\":1,\"dup\":2}");
  private TestDatabase db;

  @BeforeAll
  void start() throws java.sql.SQLException {
    db = new TestDatabase(getClass());
    new DatabaseBootstrap(PgConnectOptions.fromUri(db.uri())).createDatabaseIfMissing();
  }

  @AfterAll
  void stop() {
    db.close();
  }

  @Test
  void whatIsKeptAsReceivedJsonbTakes() {
    for (String text : TAKEN_BY_JSONB) {
      assertThat(JsonText.asReceived(text, new JsonObject(text.strip()))).as(text).isSameAs(text);
      assertThat(jsonbTakes(text)).as(text).isTrue();
    }
  }

  @Test
  void whatJsonbRefusesIsEncodedAgainAndTheEncodingJsonbTakes() {
    for (String text : REFUSED_BY_JSONB) {
      JsonObject parsed = new JsonObject(text.replace("\uFEFF", ""));
      assertThat(jsonbTakes(text)).as("jsonb refuses %s", text).isFalse();
      String stored = JsonText.asReceived(text, parsed);
      assertThat(stored).as(text).isNotEqualTo(text);
      assertThat(jsonbTakes(stored)).as("jsonb takes %s", stored).isTrue();
    }
  }

  private boolean jsonbTakes(String text) {
    try {
      return db.count("SELECT count(*) FROM (SELECT $json$" + text + "$json$::jsonb) AS parsed") == 1;
    } catch (IllegalStateException refused) {
      assertThat(refused.getCause()).hasMessageNotContaining("does not exist");
      return false;
    }
  }

  @Test
  void aTextJsonbRefusesIsReportedAsRefused() {
    assertThatThrownBy(() -> db.count("SELECT count(*) FROM (SELECT 'not json'::jsonb) AS parsed"))
        .isInstanceOf(IllegalStateException.class);
  }
}
