package io.emailgateway.provider;

import static io.emailgateway.provider.EspSigners.jsonOrNull;
import static io.emailgateway.provider.EspSigners.plus;
import static io.emailgateway.provider.EspSigners.secret;
import static io.emailgateway.provider.EspSigners.signed;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.emailgateway.auth.Hmacs;
import io.emailgateway.provider.EspSigners.Signed;
import io.emailgateway.provider.EspSigners.Signer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ESPs whose proof travels inside the body: Mailgun's {@code signature} block, Unisender Go's
 * {@code auth} digest, and the SNS envelope's {@code Signature} (Amazon SES).
 */
final class BodySigners {
  private BodySigners() {}

  /** Hex HMAC-SHA256 of timestamp + token, in the body's {@code signature} block. */
  static final class Mailgun implements Signer {
    private final String key = secret();

    @Override public String provider() { return "mailgun"; }
    @Override public String contentType() { return "application/json"; }
    @Override public List<String> secrets() { return List.of(key); }

    @Override
    public JsonObject source(String id) {
      return new JsonObject().put("id", id).put("provider", "mailgun").put("signing_keys", new JsonArray().add(key));
    }

    private JsonObject block() {
      return block(System.currentTimeMillis() / 1000);
    }

    private JsonObject block(long epochSeconds) {
      String timestamp = Long.toString(epochSeconds);
      String token = UUID.randomUUID().toString().replace("-", "") + "0123456789abcdef01";
      String signature = HexFormat.of().formatHex(Hmacs.hmac("HmacSHA256", key.getBytes(UTF_8), (timestamp + token).getBytes(UTF_8)));
      return new JsonObject().put("timestamp", timestamp).put("token", token).put("signature", signature);
    }

    @Override
    public Signed sign(String contentType, Map<String, String> headers, byte[] body) {
      JsonObject json = jsonOrNull(body);
      if (json == null) {
        return signed(contentType, headers, body);
      }
      JsonObject block = block();
      byte[] resigned = json.put("signature", block).encode().getBytes(UTF_8);
      return signed(contentType, headers, resigned, block.getString("signature"));
    }

    @Override
    public Signed wrap(byte[] payload) {
      return wrapAt(System.currentTimeMillis() / 1000, payload);
    }

    @Override
    public Signed signAt(long epochSeconds, byte[] body) {
      JsonObject json = jsonOrNull(body);
      JsonObject block = block(epochSeconds);
      return json == null ? sign(body)
          : signed(contentType(), Map.of(), json.put("signature", block).encode().getBytes(UTF_8), block.getString("signature"));
    }

    private Signed wrapAt(long epochSeconds, byte[] payload) {
      JsonObject block = block(epochSeconds);
      byte[] body = ("{\"signature\":" + block.encode() + ",\"event-data\":" + new String(payload, UTF_8) + "}").getBytes(UTF_8);
      return signed(contentType(), Map.of(), body, block.getString("signature"));
    }
  }

  /** {@code auth} = MD5 hex of the body with the API key standing where that value stands. */
  static final class UnisenderGo implements Signer {
    private static final Pattern AUTH = Pattern.compile("\"auth\"\\s*:\\s*\"([^\"]*)\"");
    private final String key = secret();

    @Override public String provider() { return "unisender_go"; }
    @Override public String contentType() { return "application/json"; }
    @Override public List<String> secrets() { return List.of(key); }

    @Override
    public JsonObject source(String id) {
      return new JsonObject().put("id", id).put("provider", "unisender_go").put("api_keys", new JsonArray().add(key));
    }

    @Override
    public Signed sign(String contentType, Map<String, String> headers, byte[] body) {
      String text = new String(body, UTF_8);
      Matcher auth = AUTH.matcher(text);
      String withKey;
      if (auth.find()) {
        withKey = text.substring(0, auth.start(1)) + key + text.substring(auth.end(1));
      } else if (text.startsWith("{")) {
        withKey = "{\"auth\":\"" + key + "\"," + text.substring(1);
      } else {
        return signed(contentType, headers, body);
      }
      String md5 = md5Hex(withKey.getBytes(UTF_8));
      return signed(contentType, headers, withKey.replace(key, md5).getBytes(UTF_8), md5);
    }

    @Override
    public Signed wrap(byte[] payload) {
      return sign(("{\"auth\":\"" + key + "\",\"events_by_user\":[{\"user_id\":1,\"project_id\":\"p\",\"events\":"
          + new String(payload, UTF_8) + "}]}").getBytes(UTF_8));
    }

    private static String md5Hex(byte[] bytes) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Amazon SES through SNS: the envelope signed with a certificate of a throw-away CA that the
   * source trusts, served by the local SNS stand-in.
   */
  static final class Ses implements Signer {
    static final String TOPIC = SnsTestServer.TOPIC;
    private static final String CERT_PATH = "/certs/signer.pem";
    private final SnsTestServer server;
    private final SnsTestPki.Issued signer;
    private final Path anchors;

    Ses(SnsTestServer server, Path workDir) {
      this.server = server;
      SnsTestPki.Issued root = SnsTestPki.rootCa("CN=Reliability SNS Root " + UUID.randomUUID());
      this.signer = SnsTestPki.signingCert(root);
      server.serve(CERT_PATH, signer.pem());
      try {
        Files.createDirectories(workDir);
        this.anchors = Files.writeString(workDir.resolve("sns-anchors-" + UUID.randomUUID() + ".pem"), root.pem());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override public String provider() { return "ses"; }
    @Override public String contentType() { return "text/plain; charset=UTF-8"; }
    @Override public List<String> secrets() { return List.of(); }

    @Override
    public JsonObject source(String id) {
      JsonObject settings = server.settings(anchors.toString()).put("id", id);
      settings.getJsonArray("topic_arns").add("arn:aws:sns:us-east-1:1234567890:SES_Events")
          .add("arn:aws:sns:us-west-2:123456789012:SES_Notifications");
      return settings.put("auto_confirm", false);
    }

    @Override
    public Signed sign(String contentType, Map<String, String> headers, byte[] body) {
      JsonObject envelope = jsonOrNull(body);
      if (envelope == null || !(envelope.getValue("Type") instanceof String)) {
        return signed(contentType, headers, body);
      }
      envelope.put("SigningCertURL", server.url(CERT_PATH));
      JsonObject signedEnvelope = SnsTestPki.sign(envelope, signer.keys().getPrivate(), 2);
      Map<String, String> all = plus(headers, "x-amz-sns-message-type", envelope.getString("Type"));
      if (envelope.getValue("MessageId") instanceof String id) {
        all.put("x-amz-sns-message-id", id);
      }
      return signed(contentType, all, signedEnvelope.encode().getBytes(UTF_8), signedEnvelope.getString("Signature"));
    }

    @Override
    public Signed wrap(byte[] payload) {
      JsonObject envelope = SnsTestPki.notification(TOPIC, UUID.randomUUID().toString(), new String(payload, UTF_8),
          "Amazon SES Email Event Notification", server.url(CERT_PATH));
      return sign(envelope.encode().getBytes(UTF_8));
    }
  }
}
