package io.emailgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.http.HttpServerOptions;

/**
 * The HTTP ceiling: a trivial Vert.x endpoint that reads the whole body and answers 200 with a
 * small JSON body, on as many event loops as the gateway's ingest listener. Run by bench/run.sh
 * in its own JVM: {@code HttpCeilingServer PORT INSTANCES}.
 */
public final class HttpCeilingServer extends VerticleBase {
  private static final Buffer ANSWER = Buffer.buffer("{\"accepted\":1,\"duplicates\":0}");

  private final int port;

  private HttpCeilingServer(int port) {
    this.port = port;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(request -> request.body().onSuccess(body ->
            request.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(ANSWER)))
        .listen();
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new HttpCeilingServer(port), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("http ceiling server on 127.0.0.1:" + port + ", " + instances + " event loops"))
        .onFailure(error -> {
          System.err.println("http ceiling server failed: " + error);
          vertx.close();
          System.exit(1);
        });
  }
}
