package io.emailgateway.provider;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.HttpPostMultipartRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The fields of a form POST (Mandrill, Mailgun's legacy webhooks), decoded, in the order sent and
 * with repeats kept: Mailgun merges user variables into its own fields, so a name can occur twice
 * and which occurrence is Mailgun's depends on the field. File parts of a multipart body (the
 * original message some Mailgun events attach) are skipped: no signature covers them and they are
 * not event data. Parsing is in memory and CPU only; the body is already capped by the HTTP layer.
 */
public final class FormFields {
  public static final String URLENCODED = "application/x-www-form-urlencoded";
  public static final String MULTIPART = "multipart/form-data";

  /** Netty's default of 128 fields is below what a Mailgun legacy event with many variables can carry. */
  private static final int MAX_FIELDS = 10_000;

  private final List<Map.Entry<String, String>> entries;

  private FormFields(List<Map.Entry<String, String>> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The request's form fields, or 400 when the body is not a well-formed form of its content type. */
  public static FormFields parse(WebhookRequest request) {
    return switch (request.contentType()) {
      case URLENCODED -> urlEncoded(request.body().toString(StandardCharsets.UTF_8));
      case MULTIPART -> multipart(request);
      default -> throw WebhookException.unsupportedMediaType(request.contentType());
    };
  }

  /** Splits on {@code &} only (as Django and Rack do); {@code +} is a space; values are UTF-8. */
  static FormFields urlEncoded(String body) {
    List<Map.Entry<String, String>> entries = new ArrayList<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      entries.add(Map.entry(decode(name), decode(value)));
    }
    return new FormFields(entries);
  }

  private static String decode(String encoded) {
    try {
      return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw WebhookException.badRequest("form body has a malformed percent-escape");
    }
  }

  private static FormFields multipart(WebhookRequest request) {
    String contentType = request.header("Content-Type");
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).contains("boundary=")) {
      throw WebhookException.badRequest("multipart form body without a boundary parameter");
    }
    DefaultFullHttpRequest nettyRequest = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
        Unpooled.wrappedBuffer(request.bodyBytes()));
    nettyRequest.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    HttpPostMultipartRequestDecoder decoder = null;
    try {
      decoder = new HttpPostMultipartRequestDecoder(new DefaultHttpDataFactory(false), nettyRequest,
          StandardCharsets.UTF_8, MAX_FIELDS, -1);
      return new FormFields(attributes(decoder.getBodyHttpDatas()));
    } catch (IOException | RuntimeException e) {
      // Netty reports most malformed bodies as DecoderException, but some (a truncated
      // Content-Disposition) as IndexOutOfBoundsException: any failure on these bytes is the sender's.
      throw WebhookException.badRequest("multipart form body is malformed");
    } finally {
      if (decoder != null) {
        decoder.destroy();
      }
      nettyRequest.release();
    }
  }

  private static List<Map.Entry<String, String>> attributes(List<InterfaceHttpData> parts) throws IOException {
    List<Map.Entry<String, String>> entries = new ArrayList<>();
    for (InterfaceHttpData part : parts) {
      if (part instanceof Attribute attribute) {
        entries.add(Map.entry(attribute.getName(), attribute.getValue()));
      }
    }
    return entries;
  }

  public boolean has(String name) {
    return entries.stream().anyMatch(e -> e.getKey().equals(name));
  }

  /** The first value of a field, or null. */
  public String first(String name) {
    List<String> values = all(name);
    return values.isEmpty() ? null : values.get(0);
  }

  /** The last value of a field, or null. */
  public String last(String name) {
    List<String> values = all(name);
    return values.isEmpty() ? null : values.get(values.size() - 1);
  }

  /** Every value of a field, in the order sent. */
  public List<String> all(String name) {
    return entries.stream().filter(e -> e.getKey().equals(name)).map(Map.Entry::getValue).toList();
  }

  /** Field name → all its values, names in the order they first appear. */
  public Map<String, List<String>> grouped() {
    Map<String, List<String>> grouped = new LinkedHashMap<>();
    entries.forEach(e -> grouped.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
    return grouped;
  }

  /** Field name → its last value, names sorted (by UTF-16 code unit, as {@link String#compareTo}). */
  public SortedMap<String, String> lastValuesSorted() {
    SortedMap<String, String> sorted = new TreeMap<>();
    entries.forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  /** The fields as a JSON object: a field sent once as a string, a repeated field as an array of its values. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    grouped().forEach((name, values) -> json.put(name, values.size() == 1 ? values.get(0) : new JsonArray(values)));
    return json;
  }
}
