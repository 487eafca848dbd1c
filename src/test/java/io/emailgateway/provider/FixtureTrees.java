package io.emailgateway.provider;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The JSON inside a corpus fixture, as a tree whose every value can be replaced, and the way back
 * to a request body: the body itself for JSON ESPs, one JSON document per line for JSON Lines,
 * Mandrill's {@code mandrill_events} field, the fields of a Mailgun legacy form, and for SES the
 * SNS envelope with the SES record of its {@code Message} opened up. So "every field" of a
 * fixture means the fields the parser reads, not just the outer envelope.
 */
final class FixtureTrees {
  /** A fixture opened up: {@code json} to change, {@code encode} to turn a changed copy into a body. */
  record Tree(String provider, ConformanceCorpus.Case fixture, Object json, Function<Object, byte[]> encode) {
    /** Every place a value sits in the tree, as the path of keys and indexes leading to it. */
    List<List<Object>> paths() {
      List<List<Object>> paths = new ArrayList<>();
      collect(json, new ArrayList<>(), paths);
      return paths;
    }

    /** A deep copy of the tree with the value at {@code path} replaced by {@code value}. */
    Object replaced(List<Object> path, Object value) {
      if (path.isEmpty()) {
        return value;
      }
      Object copy = copy(json);
      Object container = copy;
      for (int i = 0; i < path.size() - 1; i++) {
        container = child(container, path.get(i));
      }
      Object last = path.get(path.size() - 1);
      if (container instanceof JsonObject object) {
        object.put((String) last, value);
      } else {
        ((JsonArray) container).set((Integer) last, value);
      }
      return copy;
    }

    WebhookRequest request(Object tree) {
      return TestRequests.request(fixture.contentType(), fixture.headers(), HostileValues.expandDeep(encode.apply(tree)));
    }
  }

  private FixtureTrees() {}

  /** Null for fixtures whose body has no tree to walk (multipart, or not JSON at all). */
  static Tree of(String provider, ConformanceCorpus.Case fixture) {
    try {
      return open(provider, fixture);
    } catch (io.vertx.core.json.DecodeException | NullPointerException notJson) {
      return null;
    }
  }

  private static Tree open(String provider, ConformanceCorpus.Case fixture) {
    String body = new String(fixture.body(), UTF_8);
    String contentType = fixture.contentType();
    if (contentType.startsWith("multipart/")) {
      return null;
    }
    if (provider.equals("mandrill")) {
      String events = HeaderSigners.Mandrill.decodedFields(body).get("mandrill_events");
      return events == null ? null : new Tree(provider, fixture, Json.decodeValue(events),
          tree -> ("mandrill_events=" + URLEncoder.encode(Json.encode(tree), UTF_8)).getBytes(UTF_8));
    }
    if (contentType.startsWith("application/x-www-form-urlencoded")) {
      JsonObject fields = new JsonObject();
      HeaderSigners.Mandrill.decodedFields(body).forEach(fields::put);
      return new Tree(provider, fixture, fields, tree -> form(tree).getBytes(UTF_8));
    }
    if (contentType.startsWith("application/jsonl")) {
      JsonArray lines = new JsonArray();
      body.lines().filter(line -> !line.isBlank()).forEach(line -> lines.add(Json.decodeValue(line)));
      return new Tree(provider, fixture, lines, tree -> lines(tree).getBytes(UTF_8));
    }
    Object json = Json.decodeValue(body);
    if (provider.equals("ses") && json instanceof JsonObject envelope && envelope.getValue("Message") instanceof String message
        && message.trim().startsWith("{")) {
      envelope.put("Message", Json.decodeValue(message));
      return new Tree(provider, fixture, envelope, tree -> sesEnvelope(tree).getBytes(UTF_8));
    }
    return new Tree(provider, fixture, json, tree -> Json.encode(tree).getBytes(UTF_8));
  }

  private static String form(Object tree) {
    if (!(tree instanceof JsonObject fields)) {
      return URLEncoder.encode(String.valueOf(tree), UTF_8);
    }
    List<String> pairs = new ArrayList<>();
    for (Map.Entry<String, Object> field : fields) {
      Object value = field.getValue();
      String text = value instanceof String s ? s : Json.encode(value);
      pairs.add(URLEncoder.encode(field.getKey(), UTF_8) + "=" + URLEncoder.encode(text, UTF_8));
    }
    return String.join("&", pairs);
  }

  private static String lines(Object tree) {
    if (!(tree instanceof JsonArray lines)) {
      return Json.encode(tree);
    }
    List<String> out = new ArrayList<>();
    lines.forEach(line -> out.add(Json.encode(line)));
    return String.join("\n", out);
  }

  private static String sesEnvelope(Object tree) {
    if (!(tree instanceof JsonObject envelope)) {
      return Json.encode(tree);
    }
    JsonObject copy = envelope.copy();
    Object message = copy.getValue("Message");
    if (message instanceof JsonObject || message instanceof JsonArray) {
      copy.put("Message", Json.encode(message));
    }
    return copy.encode();
  }

  private static void collect(Object node, List<Object> path, List<List<Object>> paths) {
    paths.add(List.copyOf(path));
    if (node instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        path.add(key);
        collect(object.getValue(key), path, paths);
        path.remove(path.size() - 1);
      }
    } else if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        path.add(i);
        collect(array.getValue(i), path, paths);
        path.remove(path.size() - 1);
      }
    }
  }

  private static Object child(Object container, Object key) {
    return container instanceof JsonObject object ? object.getValue((String) key) : ((JsonArray) container).getValue((Integer) key);
  }

  private static Object copy(Object json) {
    if (json instanceof JsonObject object) {
      return object.copy();
    }
    return json instanceof JsonArray array ? array.copy() : json;
  }
}
