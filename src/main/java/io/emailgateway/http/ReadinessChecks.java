package io.emailgateway.http;

import io.vertx.core.Future;
import io.vertx.ext.healthchecks.Status;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/** What "ready" means: PostgreSQL answers, Redis answers, and the schema is at the version this build expects. */
public final class ReadinessChecks {
  private final Pool pool;
  private final Redis redis;
  private final String expectedSchemaVersion;

  public ReadinessChecks(Pool pool, Redis redis, String expectedSchemaVersion) {
    this.pool = pool;
    this.redis = redis;
    this.expectedSchemaVersion = expectedSchemaVersion;
  }

  Future<Status> postgres() {
    return pool.query("SELECT 1").execute().map(rows -> Status.OK()).otherwise(ReadinessChecks::down);
  }

  Future<Status> redis() {
    return redis.send(Request.cmd(Command.PING)).map(reply -> Status.OK()).otherwise(ReadinessChecks::down);
  }

  Future<Status> schema() {
    return pool.preparedQuery("SELECT 1 FROM flyway_schema_history WHERE version = $1 AND success")
        .execute(Tuple.of(expectedSchemaVersion))
        .map(rows -> rows.size() == 1 ? Status.OK() : Status.KO())
        .otherwise(ReadinessChecks::down);
  }

  private static Status down(Throwable error) {
    return Status.KO(new io.vertx.core.json.JsonObject().put("error", String.valueOf(error.getMessage())));
  }
}
