package io.emailgateway.provider;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One byte of what proves a request authentic, changed: the decoded signature (base64 or hex, so
 * that an equivalent encoding of the same bytes is never mistaken for a change), a signed header
 * such as a timestamp or message id, or the decoded {@code user:password} of basic auth.
 */
final class CredentialMutations {
  private enum Encoding { BASE64, HEX, TEXT }

  /** A header value ({@code prefix} kept as it is), or a string in the JSON body found under {@code jsonPath}. */
  private record Part(String header, List<String> jsonPath, String prefix, Encoding encoding) {
    static Part header(String name, String prefix, Encoding encoding) {
      return new Part(name, null, prefix, encoding);
    }

    static Part body(Encoding encoding, String... path) {
      return new Part(null, List.of(path), "", encoding);
    }
  }

  private CredentialMutations() {}

  /** The request with one byte of one credential part changed; null when the change is no change. */
  static EspSigners.Signed change(String provider, EspSigners.Signed signed, double partAt, double byteAt, byte replacement) {
    List<Part> parts = parts(provider, signed);
    Part part = parts.get((int) (partAt * parts.size()));
    if (part.header() != null) {
      String value = signed.headers().get(part.header());
      String changed = part.prefix() + changed(value.substring(part.prefix().length()), part.encoding(), byteAt, replacement);
      if (changed.equals(value) || changed.endsWith("null")) {
        return null;
      }
      Map<String, String> headers = new LinkedHashMap<>(signed.headers());
      headers.put(part.header(), changed);
      return new EspSigners.Signed(signed.contentType(), headers, signed.body(), signed.secrets());
    }
    String value = valueAt(SignedMeaning.json(signed.body()), part.jsonPath());
    String changed = changed(value, part.encoding(), byteAt, replacement);
    if (changed == null || changed.equals(value)) {
      return null;
    }
    String body = new String(signed.body(), UTF_8).replaceFirst(java.util.regex.Pattern.quote("\"" + value + "\""),
        java.util.regex.Matcher.quoteReplacement("\"" + changed.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
    return new EspSigners.Signed(signed.contentType(), signed.headers(), body.getBytes(UTF_8), signed.secrets());
  }

  private static List<Part> parts(String provider, EspSigners.Signed signed) {
    return switch (provider) {
      case "sendgrid" -> List.of(Part.header(SendGridProvider.SIGNATURE_HEADER, "", Encoding.BASE64),
          Part.header(SendGridProvider.TIMESTAMP_HEADER, "", Encoding.TEXT));
      case "mailgun" -> List.of(Part.body(Encoding.HEX, "signature", "signature"),
          Part.body(Encoding.TEXT, "signature", "token"), Part.body(Encoding.TEXT, "signature", "timestamp"));
      case "ses" -> List.of(Part.body(Encoding.BASE64, "Signature"));
      case "mandrill" -> List.of(Part.header("X-Mandrill-Signature", "", Encoding.BASE64));
      case "resend", "standard" -> {
        String prefix = signed.headers().containsKey("svix-id") ? "svix-" : "webhook-";
        yield List.of(Part.header(prefix + "signature", "v1,", Encoding.BASE64), Part.header(prefix + "id", "", Encoding.TEXT),
            Part.header(prefix + "timestamp", "", Encoding.TEXT));
      }
      case "mailersend" -> List.of(Part.header("Signature", "", Encoding.HEX));
      case "postal" -> List.of(Part.header("X-Postal-Signature-256", "", Encoding.BASE64));
      case "mailtrap" -> List.of(Part.header("Mailtrap-Signature", "", Encoding.HEX),
          Part.header("Authorization", "Basic ", Encoding.BASE64));
      case "unisender_go" -> List.of(Part.body(Encoding.HEX, "auth"));
      default -> List.of(Part.header("Authorization", "Basic ", Encoding.BASE64));
    };
  }

  private static String changed(String value, Encoding encoding, double byteAt, byte replacement) {
    return switch (encoding) {
      case BASE64 -> {
        byte[] bytes = Base64.getDecoder().decode(value);
        yield flip(bytes, byteAt, replacement) ? Base64.getEncoder().encodeToString(bytes) : null;
      }
      case HEX -> {
        byte[] bytes = HexFormat.of().parseHex(value);
        yield flip(bytes, byteAt, replacement) ? HexFormat.of().formatHex(bytes) : null;
      }
      case TEXT -> {
        char[] chars = value.toCharArray();
        int at = (int) (byteAt * chars.length);
        char printable = (char) (0x21 + Math.floorMod(replacement, 94));
        if (chars.length == 0 || chars[at] == printable) {
          yield null;
        }
        chars[at] = printable;
        yield new String(chars);
      }
    };
  }

  private static boolean flip(byte[] bytes, double byteAt, byte replacement) {
    int at = (int) (byteAt * bytes.length);
    if (bytes.length == 0 || bytes[at] == replacement) {
      return false;
    }
    bytes[at] = replacement;
    return true;
  }

  private static String valueAt(JsonObject json, List<String> path) {
    JsonObject container = json;
    for (int i = 0; i < path.size() - 1; i++) {
      container = container.getJsonObject(path.get(i));
    }
    return container.getString(path.get(path.size() - 1));
  }
}
