package io.emailgateway.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A slowloris sender: writes {@code head} at once, then one more byte every 200 ms for as long as
 * the connection stays open (at most 30 s), while reading whatever the server answers.
 */
final class SlowSender {
  /** What the server did: a status, or {@link RawHttp#NO_ANSWER} when it closed without one; and when. */
  record Outcome(int status, Duration took) {}

  private final boolean tricklesHead;
  private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

  private SlowSender(boolean tricklesHead) {
    this.tricklesHead = tricklesHead;
  }

  static SlowSender start(int port, byte[] head, boolean tricklesHead) throws IOException {
    SlowSender sender = new SlowSender(tricklesHead);
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    long started = System.nanoTime();
    Thread writer = new Thread(() -> {
      try {
        OutputStream out = socket.getOutputStream();
        out.write(head);
        for (int i = 0; i < 150 && !sender.outcome.isDone(); i++) {
          GatewayProcess.sleep(200);
          out.write('a');
          out.flush();
        }
      } catch (IOException e) {
        // closed by the server: the reader reports how
      }
    }, "slow-writer");
    Thread reader = new Thread(() -> {
      int status;
      try {
        status = RawHttp.read(socket.getInputStream()).status();
      } catch (IOException e) {
        status = RawHttp.NO_ANSWER;
      }
      sender.outcome.complete(new Outcome(status, Duration.ofNanos(System.nanoTime() - started)));
      try {
        socket.close();
      } catch (IOException e) {
        // already closed
      }
    }, "slow-reader");
    writer.setDaemon(true);
    reader.setDaemon(true);
    writer.start();
    reader.start();
    return sender;
  }

  boolean tricklesHead() {
    return tricklesHead;
  }

  Outcome await(Duration limit) throws Exception {
    return outcome.get(limit.toMillis(), TimeUnit.MILLISECONDS);
  }
}
