package io.emailgateway.provider;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether two bodies carry the same signed content under an ESP's scheme. Most schemes sign the
 * raw bytes, so any change is a different request. Some sign a decoded form, where a changed
 * byte can mean the same thing and is rightly accepted: Mandrill signs the decoded form fields
 * ({@code %2F} and {@code %2f} are one character), SNS signs the decoded JSON strings (a space
 * between tokens is not signed), Unisender Go's {@code auth} is a hex digest compared as a
 * number, and Mailgun signs only timestamp and token (its event data is unsigned by design; the
 * token is the event key, so a changed event under a known token is stored as a duplicate).
 */
final class SignedMeaning {
  private static final Pattern AUTH = Pattern.compile("\"auth\"\\s*:\\s*\"([^\"]*)\"");
  private static final List<String> SNS_FIELDS = List.of("Message", "MessageId", "Subject", "SubscribeURL", "Timestamp",
      "Token", "TopicArn", "Type", "SignatureVersion", "SigningCertURL");

  private SignedMeaning() {}

  static boolean same(String provider, EspSigners.Signed original, EspSigners.Signed changed) {
    return switch (provider) {
      case "mailgun" -> sameMailgunSignature(json(original.body()), json(changed.body()));
      case "mandrill" -> Objects.equals(fields(original.body()), fields(changed.body()))
          && fields(changed.body()) != null;
      case "unisender_go" -> sameIgnoringAuthCase(original.body(), changed.body());
      case "ses" -> sameSnsSignedContent(json(original.body()), json(changed.body()));
      default -> Arrays.equals(original.body(), changed.body());
    };
  }

  private static boolean sameMailgunSignature(JsonObject original, JsonObject changed) {
    if (original == null || changed == null || !(changed.getValue("signature") instanceof JsonObject block)) {
      return false;
    }
    JsonObject genuine = original.getJsonObject("signature");
    return Objects.equals(genuine.getValue("timestamp"), block.getValue("timestamp"))
        && Objects.equals(genuine.getValue("token"), block.getValue("token"))
        && block.getValue("signature") instanceof String signature && genuine.getString("signature").equalsIgnoreCase(signature);
  }

  private static Map<String, String> fields(byte[] body) {
    return HeaderSigners.Mandrill.decodedFields(new String(body, UTF_8));
  }

  private static boolean sameIgnoringAuthCase(byte[] original, byte[] changed) {
    Matcher genuine = AUTH.matcher(new String(original, UTF_8));
    Matcher other = AUTH.matcher(new String(changed, UTF_8));
    if (!genuine.find() || !other.find() || !genuine.group(1).equalsIgnoreCase(other.group(1))) {
      return false;
    }
    String normalized = new String(changed, UTF_8).replace(other.group(1), genuine.group(1));
    return normalized.equals(new String(original, UTF_8));
  }

  private static boolean sameSnsSignedContent(JsonObject original, JsonObject changed) {
    if (original == null || changed == null) {
      return false;
    }
    for (String field : SNS_FIELDS) {
      if (!Objects.equals(original.getValue(field), changed.getValue(field))) {
        return false;
      }
    }
    return changed.getValue("Signature") instanceof String signature
        && Arrays.equals(decode(original.getString("Signature")), decode(signature));
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static JsonObject json(byte[] body) {
    try {
      return Json.decodeValue(Buffer.buffer(body)) instanceof JsonObject object ? object : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
