package io.emailgateway.api;

import io.emailgateway.auth.ConstantTime;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code Authorization: Bearer <admin.token>} on every admin route, the OpenAPI document
 * included. The comparison takes the same time wherever the presented token first differs.
 */
final class AdminAuth implements Handler<RoutingContext> {
  private static final String PREFIX = "bearer ";
  private final String token;

  AdminAuth(String token) {
    this.token = token;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    boolean bearer = header != null && header.length() > PREFIX.length()
        && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    String presented = bearer ? header.substring(PREFIX.length()).trim() : "";
    if (ConstantTime.equals(token, presented) && bearer) {
      ctx.next();
    } else {
      ctx.fail(ApiException.unauthorized());
    }
  }
}
