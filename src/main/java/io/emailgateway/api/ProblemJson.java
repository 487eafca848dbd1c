package io.emailgateway.api;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one failure handler of the admin API: every error is an RFC 9457 problem document
 * ({@code application/problem+json}). An {@link ApiException} says what it is; an unavailable
 * store is a 503 (retry later); anything else is a bug, logged with its stack trace and answered 500
 * without detail.
 */
final class ProblemJson implements Handler<RoutingContext> {
  static final String MEDIA_TYPE = "application/problem+json";
  private static final Logger LOG = LoggerFactory.getLogger(ProblemJson.class);

  @Override
  public void handle(RoutingContext ctx) {
    ApiException problem = asProblem(ctx);
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    JsonObject body = new JsonObject().put("type", "about:blank").put("title", problem.title())
        .put("status", problem.status()).put("detail", problem.getMessage()).put("instance", ctx.request().path());
    if (problem.parameter() != null) {
      body.put("parameter", problem.parameter());
    }
    if (problem.status() == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"admin\"");
    }
    ctx.response().setStatusCode(problem.status()).putHeader("Content-Type", MEDIA_TYPE).end(body.encode());
  }

  private static ApiException asProblem(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException problem) {
      return problem;
    }
    if (failure == null && ctx.statusCode() == 404) {
      return ApiException.notFound("no such route: " + ctx.request().method() + " " + ctx.request().path());
    }
    if (unavailable(failure)) {
      LOG.warn("admin API {} {}: store unavailable: {}", ctx.request().method(), ctx.request().path(), failure.getMessage());
      return ApiException.unavailable("the store is unavailable, retry later");
    }
    LOG.error("admin API {} {} failed", ctx.request().method(), ctx.request().path(), failure);
    return ApiException.internal();
  }

  /**
   * The store, not the request, is at fault: no connection, a timeout, a server short of
   * resources or shutting down, a serialization conflict (SQLSTATE classes 08, 53, 57, 40).
   * Any other database error is a bug of ours and stays a 500.
   */
  private static boolean unavailable(Throwable failure) {
    if (failure instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      return state.startsWith("08") || state.startsWith("53") || state.startsWith("57") || state.startsWith("40");
    }
    return failure instanceof io.vertx.core.VertxException;
  }
}
