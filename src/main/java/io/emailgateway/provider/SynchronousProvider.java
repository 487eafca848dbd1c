package io.emailgateway.provider;

import io.vertx.core.Future;

/**
 * A provider whose verification is pure CPU work on the request (a signature, an HMAC, basic
 * auth): it implements {@link #verify}, which throws the refusal, and gets
 * {@link #authenticate} from here.
 */
public interface SynchronousProvider extends WebhookProvider {

  /** Throws a {@link WebhookException} (401, or 400 for a request not of this ESP's shape) when the request is not authentic. */
  void verify(WebhookRequest request);

  @Override
  default Future<Void> authenticate(WebhookRequest request) {
    try {
      verify(request);
      return Future.succeededFuture();
    } catch (WebhookException e) {
      return Future.failedFuture(e);
    }
  }
}
