package io.emailgateway.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A forwarding destination on a plain socket, so the suite decides every byte: {@link
 * Behaviour#ACCEPT} answers 204 at once and books every {@code webhook-id}; {@link
 * Behaviour#HANG} takes the connection and the request and never answers; {@link
 * Behaviour#TRICKLE} answers 200 with a body of a million bytes at once, then sends that body
 * one byte every 250 ms for as long as the connection stays open — a receiver whose answer
 * never ends, yet is never idle. Every connection is booked with
 * when it opened and when the gateway closed it.
 */
final class WebhookTarget implements AutoCloseable {
  enum Behaviour { ACCEPT, HANG, TRICKLE }

  /** One connection from the gateway; {@code closedNanos} is 0 while it is open. */
  static final class Connection {
    final long openedNanos = System.nanoTime();
    volatile long closedNanos;

    synchronized void close() {
      if (closedNanos == 0) {
        closedNanos = System.nanoTime();
      }
    }

    long ageMillis(long nowNanos) {
      return ((closedNanos == 0 ? nowNanos : closedNanos) - openedNanos) / 1_000_000;
    }
  }

  private static final long TRICKLE_INTERVAL_MILLIS = 250;

  private final Behaviour behaviour;
  private final ServerSocket server;
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Map<Long, AtomicInteger> received = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile boolean closed;

  WebhookTarget(Behaviour behaviour) throws IOException {
    this.behaviour = behaviour;
    this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "webhook-target-" + behaviour.name().toLowerCase(Locale.ROOT));
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/hooks/email-events";
  }

  List<Connection> connections() {
    return List.copyOf(connections);
  }

  /**
   * The most connections open at once. A connection counts as closed {@code graceMillis} before
   * this side saw it close: the gateway's next request can reach the acceptor in the instant
   * before the thread of the connection it just closed has read the end of it.
   */
  int maxConcurrent(long graceMillis) {
    long now = System.nanoTime();
    List<long[]> spans = connections().stream()
        .map(c -> new long[] {c.openedNanos, (c.closedNanos == 0 ? now : c.closedNanos) - graceMillis * 1_000_000}).toList();
    int max = 0;
    for (long[] span : spans) {
      int open = (int) spans.stream().filter(other -> other[0] <= span[0] && other[1] > span[0]).count();
      max = Math.max(max, open);
    }
    return max;
  }

  /** Requests that reached this target (their heads read in full). */
  int requests() {
    return requests.get();
  }

  /** Event ids (webhook-id) answered 204, each with the number of times it came. */
  Map<Long, Integer> received() {
    Map<Long, Integer> copy = new java.util.HashMap<>();
    received.forEach((id, count) -> copy.put(id, count.get()));
    return copy;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        Connection connection = new Connection();
        connections.add(connection);
        open.add(socket);
        Thread worker = new Thread(() -> serve(socket, connection), "webhook-target-connection");
        worker.setDaemon(true);
        worker.start();
      } catch (IOException e) {
        if (!closed) {
          GatewayProcess.sleep(10);
        }
      }
    }
  }

  private void serve(Socket socket, Connection connection) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      switch (behaviour) {
        case ACCEPT -> {
          for (Map<String, String> head; (head = readRequest(in)) != null; ) {
            received.computeIfAbsent(Long.parseLong(head.get("webhook-id")), id -> new AtomicInteger()).incrementAndGet();
            out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          }
        }
        case HANG -> {
          readRequest(in);
          while (in.read() >= 0) {
            // the request is read; no answer ever comes, until the gateway hangs up
          }
        }
        case TRICKLE -> {
          readRequest(in);
          // The gateway's hang-up is seen at once by a reader, not at the next write of the trickle.
          Thread reader = new Thread(() -> {
            try {
              while (in.read() >= 0) {
                // nothing more is expected
              }
            } catch (IOException e) {
              // closed
            }
            connection.close();
            closeQuietly(socket);
          }, "webhook-target-trickle-reader");
          reader.setDaemon(true);
          reader.start();
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          while (!closed) {
            out.write('a');
            out.flush();
            GatewayProcess.sleep(TRICKLE_INTERVAL_MILLIS);
          }
        }
      }
    } catch (IOException e) {
      // the gateway closed or reset the connection
    } finally {
      connection.close();
      open.remove(socket);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** Reads one request (head and Content-Length body); the head's fields in lower case, or null at the end of the stream. */
  private Map<String, String> readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    Map<String, String> fields = new java.util.HashMap<>();
    for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
    }
    in.readNBytes(Integer.parseInt(fields.getOrDefault("content-length", "0")));
    requests.incrementAndGet();
    return fields;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket socket : open) {
      socket.close();
    }
  }
}
