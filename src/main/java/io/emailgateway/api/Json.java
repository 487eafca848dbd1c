package io.emailgateway.api;

import io.emailgateway.event.Timestamps;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;

/** Successful JSON answers, and times as the normalized event writes them (UTC, ISO-8601, ms). */
final class Json {
  private Json() {}

  static void ok(RoutingContext ctx, JsonObject body) {
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(body.encode());
  }

  /**
   * Answers with the outcome of a future: the JSON on success, else the failure handler. Mapping
   * rows inside the future (not in a success callback) means a mistake there still answers.
   */
  static Handler<AsyncResult<JsonObject>> reply(RoutingContext ctx) {
    return done -> {
      if (done.succeeded()) {
        ok(ctx, done.result());
      } else {
        ctx.fail(done.cause());
      }
    };
  }

  static String time(OffsetDateTime time) {
    return time == null ? null : Timestamps.format(time.toInstant());
  }
}
