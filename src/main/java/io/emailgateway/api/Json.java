package io.emailgateway.api;

import io.emailgateway.event.Timestamps;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;

/** Successful JSON answers, and times as the normalized event writes them (UTC, ISO-8601, ms). */
final class Json {
  private Json() {}

  static void ok(RoutingContext ctx, JsonObject body) {
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(body.encode());
  }

  static String time(OffsetDateTime time) {
    return time == null ? null : Timestamps.format(time.toInstant());
  }
}
