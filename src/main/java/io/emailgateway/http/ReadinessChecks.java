package io.emailgateway.http;

import io.emailgateway.store.BoundedConnection;
import io.vertx.core.Future;
import io.vertx.ext.healthchecks.Status;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;

/** What "ready" means: PostgreSQL answers, Redis answers, and the schema is at the version this build expects. */
public final class ReadinessChecks {
  /** Within the health checks' own 2 s, so a PostgreSQL that stopped answering is reported, not waited for. */
  private static final Duration LIMIT = Duration.ofMillis(1500);

  private final BoundedConnection postgres;
  private final Redis redis;
  private final String expectedSchemaVersion;

  /** {@code postgres} is the checks' own connection, so a check never waits behind a stuck pool. */
  public ReadinessChecks(BoundedConnection postgres, Redis redis, String expectedSchemaVersion) {
    this.postgres = postgres;
    this.redis = redis;
    this.expectedSchemaVersion = expectedSchemaVersion;
  }

  Future<Status> postgres() {
    return postgres.run(LIMIT, pg -> pg.query("SELECT 1").execute()).map(rows -> Status.OK()).otherwise(ReadinessChecks::down);
  }

  Future<Status> redis() {
    return redis.send(Request.cmd(Command.PING)).map(reply -> Status.OK()).otherwise(ReadinessChecks::down);
  }

  Future<Status> schema() {
    return postgres.run(LIMIT, pg -> pg.preparedQuery("SELECT 1 FROM flyway_schema_history WHERE version = $1 AND success")
            .execute(Tuple.of(expectedSchemaVersion)))
        .map(rows -> rows.size() == 1 ? Status.OK() : Status.KO())
        .otherwise(ReadinessChecks::down);
  }

  private static Status down(Throwable error) {
    return Status.KO(new io.vertx.core.json.JsonObject().put("error", String.valueOf(error.getMessage())));
  }
}
