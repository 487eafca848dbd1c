package io.emailgateway.api;

import io.emailgateway.quarantine.Reverifier;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;

/**
 * The admin and query API, mounted under {@code /api/v1} on the management listener (README
 * "Admin API"; the contract is {@code api/openapi.yaml}, served at {@code /api/v1/openapi.yaml}).
 * Every route, the document included, needs the bearer token; every error is problem+json.
 * Only the reactive PostgreSQL client is used: nothing here blocks the event loop.
 */
public final class AdminApi {
  private static final String OPENAPI = "api/openapi.yaml";
  private static final long MAX_BODY_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final EventsApi events;
  private final MessagesApi messages;
  private final SuppressionsApi suppressions;
  private final SuppressionsCsv suppressionsCsv;
  private final StatsApi stats;
  private final DeadApi dead;
  private final QuarantineApi quarantine;
  private Buffer openApi;

  private AdminApi(Vertx vertx, Pool pool, Reverifier reverifier) {
    this.vertx = vertx;
    this.events = new EventsApi(pool);
    this.messages = new MessagesApi(pool);
    this.suppressions = new SuppressionsApi(pool);
    this.suppressionsCsv = new SuppressionsCsv(pool);
    this.stats = new StatsApi(pool);
    this.dead = new DeadApi(vertx, pool);
    this.quarantine = new QuarantineApi(pool, reverifier);
  }

  /** The router to mount at {@code /api/v1/*}; {@code token} must not be empty. */
  public static Router router(Vertx vertx, Pool pool, Reverifier reverifier, String token) {
    return new AdminApi(vertx, pool, reverifier).routes(Router.router(vertx), token);
  }

  private Router routes(Router router, String token) {
    router.route().handler(new AdminAuth(token));
    router.get("/openapi.yaml").handler(this::openApi);
    router.get("/events").handler(events::list);
    router.get("/events/:id").handler(events::get);
    router.get("/messages/:message_id").handler(messages::get);
    router.get("/suppressions").handler(suppressions::list);
    router.get("/suppressions.csv").handler(suppressionsCsv::export);
    router.get("/suppressions/:address").handler(suppressions::get);
    router.put("/suppressions/:address").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(suppressions::put);
    router.delete("/suppressions/:address").handler(suppressions::delete);
    router.get("/stats").handler(stats::get);
    router.get("/dead").handler(dead::list);
    router.post("/dead/retry").handler(dead::retryAll);
    router.post("/dead/:id/retry").handler(dead::retryOne);
    router.get("/quarantine").handler(quarantine::list);
    router.post("/quarantine/:id/reverify").handler(quarantine::reverify);
    router.route().handler(ctx -> ctx.fail(ApiException.notFound("no such route: " + ctx.request().method() + " "
        + ctx.request().path())));
    router.route().failureHandler(new ProblemJson());
    return router;
  }

  private void openApi(RoutingContext ctx) {
    if (openApi != null) {
      ctx.response().putHeader("Content-Type", "application/yaml").end(openApi);
      return;
    }
    vertx.fileSystem().readFile(OPENAPI).onFailure(ctx::fail).onSuccess(document -> {
      openApi = document;
      ctx.response().putHeader("Content-Type", "application/yaml").end(document);
    });
  }
}
