package io.emailgateway.api;

import io.emailgateway.auth.ConstantTime;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

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
    if (authorized(token, ctx.request().headers().getAll("Authorization"))) {
      ctx.next();
    } else {
      ctx.fail(ApiException.unauthorized());
    }
  }

  /**
   * Exactly one {@code Authorization} field holding the scheme {@code Bearer} (in any case, as
   * HTTP schemes are) and {@code token}. A repeated field is refused whatever it holds: it is a
   * singleton field, and a proxy or client that lets a second one through must not decide which
   * of the two counts.
   */
  static boolean authorized(String token, List<String> authorization) {
    String header = authorization.size() == 1 ? authorization.get(0) : null;
    boolean bearer = header != null && header.length() > PREFIX.length()
        && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    String presented = bearer ? header.substring(PREFIX.length()).trim() : "";
    return ConstantTime.equals(token, presented) && bearer;
  }
}
