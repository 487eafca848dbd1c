package io.emailgateway.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, one request per connection, so a test controls every byte (chunked
 * bodies, repeated headers, a sender that trickles) and tells apart what a JDK client blurs: a
 * connection refused (the request never reached the gateway), a connection closed after the
 * request was written without an answer (the gateway dropped a request it had), and a timeout.
 */
final class RawHttp {
  static final int REFUSED = -1;
  static final int NO_ANSWER = -2;
  static final int TIMEOUT = -3;

  /** The status (or one of the negative outcomes), the headers in lower case, and the body. */
  record Response(int status, Map<String, String> headers, String body) {
    static Response of(int outcome) {
      return new Response(outcome, Map.of(), "");
    }
  }

  private RawHttp() {}

  /** A request head (with {@code Connection: close}) followed by {@code body}, as bytes. */
  static byte[] post(String path, Map<String, String> headers, byte[] body) {
    return request("POST", path, headers.entrySet().stream().map(h -> new String[] {h.getKey(), h.getValue()}).toList(), body);
  }

  /** Any method, with header fields in the order given, a name repeated as often as it comes ({@code {name, value}} pairs). */
  static byte[] request(String method, String path, java.util.List<String[]> headers, byte[] body) {
    StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    headers.forEach(h -> head.append(h[0]).append(": ").append(h[1]).append("\r\n"));
    head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
    return concat(head.toString().getBytes(StandardCharsets.ISO_8859_1), body);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** Writes {@code request} on a new connection and reads the answer until the server closes it. */
  static Response exchange(int port, byte[] request, Duration timeout) {
    try (Socket socket = new Socket()) {
      try {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      } catch (ConnectException e) {
        return Response.of(REFUSED);
      }
      socket.setSoTimeout((int) timeout.toMillis());
      // Written from another thread while this one reads, as HTTP clients do: a server may answer
      // (413, 503) and close before it read the whole body, and the answer must be read as it comes.
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = socket.getOutputStream();
          out.write(request);
          out.flush();
        } catch (IOException e) {
          // the server closed while we were still writing; its answer is read below
        }
      }, "raw-http-writer");
      writer.setDaemon(true);
      writer.start();
      return read(socket.getInputStream());
    } catch (SocketTimeoutException e) {
      return Response.of(TIMEOUT);
    } catch (IOException e) {
      return Response.of(NO_ANSWER);
    }
  }

  /** Reads one response; NO_ANSWER when the connection ends before a status line. */
  static Response read(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        bytes.write(buffer, 0, n);
      }
    } catch (IOException e) {
      if (bytes.size() == 0) {
        throw e;
      }
    }
    String text = bytes.toString(StandardCharsets.ISO_8859_1);
    if (!text.startsWith("HTTP/1.")) {
      return Response.of(NO_ANSWER);
    }
    int headEnd = text.indexOf("\r\n\r\n");
    String head = headEnd < 0 ? text : text.substring(0, headEnd);
    String[] lines = head.split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, headEnd < 0 ? "" : text.substring(headEnd + 4));
  }
}
