package io.emailgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.Gateway;
import io.emailgateway.config.GatewayConfig;
import io.emailgateway.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The settings the gateway's guarantees rest on, as the server applies them to a session opened
 * with {@link Gateway#sessionOptions}: PostgreSQL takes them from the startup packet (a misspelt
 * value would refuse the connection), and whatever the server's defaults, these win.
 */
class SessionSettingsIT {
  private final Vertx vertx = Vertx.vertx();
  private final TestDatabase db = new TestDatabase(getClass());

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    db.close();
  }

  @Test
  void everySessionCommitsDurablyIsBoundedAndWritesBackItsPagesAsItGoes() throws Exception {
    GatewayConfig config = GatewayConfig.from(new JsonObject()
        .put("postgres", new JsonObject().put("uri", db.uri()))
        .put("persist", new JsonObject().put("write_timeout", "7s")));
    new DatabaseBootstrap(PgConnectOptions.fromUri(db.uri())).createDatabaseIfMissing();

    Map<String, String> settings = new HashMap<>();
    PgConnection.connect(vertx, Gateway.sessionOptions(config))
        .compose(pg -> pg.query("SELECT name, setting, unit FROM pg_settings WHERE name = ANY('{synchronous_commit,"
                + "statement_timeout,idle_in_transaction_session_timeout,backend_flush_after,application_name}')")
            .execute().eventually(pg::close))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .forEach((Row row) -> settings.put(row.getString("name"),
            row.getString("setting") + (row.getString("unit") == null ? "" : " " + row.getString("unit"))));

    assertThat(settings).containsAllEntriesOf(Map.of(
        "synchronous_commit", "on",
        "statement_timeout", "7000 ms",
        "idle_in_transaction_session_timeout", "7000 ms",
        // 32 pages of 8 kB: PostgreSQL's default is 0, no write-back before the checkpoint's fsync.
        "backend_flush_after", "32 8kB",
        "application_name", "email-webhook-gateway"));
  }
}
