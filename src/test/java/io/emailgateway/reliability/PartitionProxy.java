package io.emailgateway.reliability;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP forwarder that can partition the network without closing anything: {@link #freeze}
 * stops moving bytes on every open connection and lets new connections hang, as a paused VM or a
 * lost route does (the kernel still acknowledges, so the client's TCP waits for an answer that
 * never comes); {@link #heal} lets new connections through again while the frozen ones stay
 * frozen for good, as after a failover or a NAT table that forgot them. Unlike a refused or
 * reset connection, nothing tells the client its connection is dead.
 */
final class PartitionProxy implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final NetClient client = vertx.createNetClient();
  private final Set<NetSocket> live = ConcurrentHashMap.newKeySet();
  private final String targetHost;
  private final int targetPort;
  private final NetServer server;
  private volatile boolean frozen;

  PartitionProxy(String targetHost, int targetPort) throws Exception {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = vertx.createNetServer().connectHandler(this::forward);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  int port() {
    return server.actualPort();
  }

  /** Every open connection stops moving bytes, for good; new ones hang until {@link #heal}. */
  void freeze() {
    frozen = true;
    Set<NetSocket> frozenNow = Set.copyOf(live);
    live.clear();
    frozenNow.forEach(NetSocket::pause);
  }

  /** New connections flow again; the frozen ones never will. */
  void heal() {
    frozen = false;
  }

  private void forward(NetSocket inbound) {
    inbound.pause();
    if (frozen) {
      return; // accepted, never answered
    }
    client.connect(targetPort, targetHost).onSuccess(outbound -> {
      live.add(inbound);
      live.add(outbound);
      inbound.handler(outbound::write);
      outbound.handler(inbound::write);
      inbound.closeHandler(v -> { live.remove(inbound); outbound.close(); });
      outbound.closeHandler(v -> { live.remove(outbound); inbound.close(); });
      inbound.resume();
    }).onFailure(e -> inbound.close());
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
