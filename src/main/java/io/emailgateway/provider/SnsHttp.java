package io.emailgateway.provider;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * The outbound GETs SNS verification needs (signing certificates, their issuers, subscription
 * confirmations) on the Vert.x WebClient, so the event loop never blocks. Redirects are not
 * followed (a redirect would leave the host the URL pattern approved), TLS is verified, and
 * bodies are capped so a hostile server cannot make the gateway buffer without bound.
 */
final class SnsHttp {
  static final long TIMEOUT_MS = 5_000;
  private static final WebClientOptions OPTIONS = new WebClientOptions()
      .setFollowRedirects(false)
      .setTrustAll(false)
      .setVerifyHost(true)
      .setConnectTimeout((int) TIMEOUT_MS)
      .setUserAgent("email-webhook-gateway");

  private final Vertx vertx;
  private volatile WebClient client;

  /** {@code vertx} may be null: the Vert.x of the first caller's context is used then. */
  SnsHttp(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * GETs {@code url} with a body of at most {@code maxBytes}. Fails with 503 when the server
   * cannot be reached in time (SNS retries), with 401 {@code <what>_too_large} when the body
   * exceeds the cap.
   */
  Future<HttpResponse<Buffer>> get(String url, int maxBytes, String what) {
    return client().getAbs(url)
        .timeout(TIMEOUT_MS)
        .as(capped(maxBytes, what))
        .send()
        .recover(failure -> Future.failedFuture(failure instanceof WebhookException refusal
            ? refusal : WebhookException.unavailable(what + "_unreachable", 5)));
  }

  private WebClient client() {
    WebClient current = client;
    if (current == null) {
      synchronized (this) {
        if (client == null) {
          client = WebClient.create(vertx != null ? vertx : contextVertx(), OPTIONS);
        }
        current = client;
      }
    }
    return current;
  }

  private static Vertx contextVertx() {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("SesProvider needs Vert.x: construct it with (SourceConfig, Vertx) "
          + "or call authenticate() on a Vert.x context");
    }
    return context.owner();
  }

  /**
   * Completes on the caller's Vert.x context: a fetch shared by requests from several event
   * loops completes on the loop that started it, and the others must resume on their own.
   */
  static <T> Future<T> onCallerContext(Future<T> shared) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return shared;
    }
    Promise<T> promise = Promise.promise();
    shared.onComplete(result -> {
      if (Vertx.currentContext() == caller) {
        promise.handle(result);
      } else {
        caller.runOnContext(v -> promise.handle(result));
      }
    });
    return promise.future();
  }

  private static BodyCodec<Buffer> capped(int maxBytes, String what) {
    return () -> new CappedBody(maxBytes, what);
  }

  /** Collects a response body up to a cap; past it the result fails and further bytes are dropped. */
  private static final class CappedBody implements BodyStream<Buffer> {
    private final Promise<Buffer> result = Promise.promise();
    private final Buffer body = Buffer.buffer();
    private final int maxBytes;
    private final String what;

    CappedBody(int maxBytes, String what) {
      this.maxBytes = maxBytes;
      this.what = what;
    }

    @Override public Future<Buffer> result() { return result.future(); }
    @Override public void handle(Throwable failure) { result.tryFail(failure); }

    @Override
    public Future<Void> write(Buffer data) {
      if (!result.future().isComplete()) {
        if (body.length() + data.length() > maxBytes) {
          result.tryFail(WebhookException.unauthorized(what + "_too_large"));
        } else {
          body.appendBuffer(data);
        }
      }
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      result.tryComplete(body);
      return Future.succeededFuture();
    }

    @Override public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) { return this; }
    @Override public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) { return this; }
    @Override public boolean writeQueueFull() { return false; }
    @Override public WriteStream<Buffer> drainHandler(Handler<Void> handler) { return this; }
  }
}
