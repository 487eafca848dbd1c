package io.emailgateway.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/** Builds {@link WebhookRequest}s and reads test resources as exact bytes. */
public final class TestRequests {
  private TestRequests() {}

  public static WebhookRequest request(String contentType, Map<String, String> headers, byte[] body) {
    MultiMap headerMap = MultiMap.caseInsensitiveMultiMap();
    headers.forEach(headerMap::add);
    if (contentType != null) {
      headerMap.set("Content-Type", contentType);
    }
    String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
    return new WebhookRequest("test-source", mediaType, headerMap, MultiMap.caseInsensitiveMultiMap(),
        Buffer.buffer(body), "127.0.0.1", Instant.now());
  }

  public static WebhookRequest json(Map<String, String> headers, byte[] body) {
    return request("application/json", headers, body);
  }

  /** A classpath resource as its exact bytes (CRLFs and all). */
  public static byte[] resource(String path) {
    try (InputStream in = TestRequests.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
