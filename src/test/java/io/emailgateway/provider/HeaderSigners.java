package io.emailgateway.provider;

import static io.emailgateway.provider.EspSigners.keyPair;
import static io.emailgateway.provider.EspSigners.plus;
import static io.emailgateway.provider.EspSigners.secret;
import static io.emailgateway.provider.EspSigners.signed;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.emailgateway.auth.Hmacs;
import io.emailgateway.provider.EspSigners.Signed;
import io.emailgateway.provider.EspSigners.Signer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.security.KeyPair;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The ESPs whose proof travels in request headers: a signature over the raw body (SendGrid,
 * Standard Webhooks and Resend, MailerSend, Mailtrap, Postal), over the decoded form (Mandrill),
 * or basic auth from the webhook URL (Postmark, SparkPost, Mailjet, Brevo; Mailtrap too).
 */
final class HeaderSigners {
  private HeaderSigners() {}

  static Basic basic(String provider) {
    return new Basic(provider);
  }

  /** Postmark, SparkPost, Mailjet, Brevo: basic auth from the URL, nothing signed. */
  static final class Basic implements Signer {
    private final String provider;
    private final String user = "u" + secret().substring(3, 11);
    private final String password = secret();

    Basic(String provider) {
      this.provider = provider;
    }

    @Override public String provider() { return provider; }
    @Override public String contentType() { return "application/json"; }
    @Override public List<String> secrets() { return List.of(password); }

    @Override
    public JsonObject source(String id) {
      return new JsonObject().put("id", id).put("provider", provider)
          .put("basic_auth", new JsonArray().add(new JsonObject().put("username", user).put("password", password)));
    }

    @Override
    public Signed sign(String contentType, Map<String, String> headers, byte[] body) {
      String authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(UTF_8));
      return signed(contentType, plus(headers, "Authorization", authorization), body, authorization);
    }
  }

  /** ECDSA P-256 over the timestamp header's bytes followed by the raw body. */
  static final class SendGrid implements Signer {
    private final KeyPair keys = keyPair("EC", new ECGenParameterSpec("secp256r1"), 0);

    @Override public String provider() { return "sendgrid"; }
    @Override public String contentType() { return "application/json"; }
    @Override public List<String> secrets() { return List.of(); }

    @Override
    public JsonObject source(String id) {
      return new JsonObject().put("id", id).put("provider", "sendgrid")
          .put("public_keys", new JsonArray().add(Base64.getEncoder().encodeToString(keys.getPublic().getEncoded())));
    }

    @Override
    public Signed sign(String contentType, Map<String, String> headers, byte[] body) {
      return signAt(System.currentTimeMillis() / 1000, contentType, headers, body);
    }

    @Override
    public Signed signAt(long epochSeconds, byte[] body) {
      return signAt(epochSeconds, contentType(), Map.of(), body);
    }

    private Signed signAt(long epochSeconds, String contentType, Map<String, String> headers, byte[] body) {
      String timestamp = Long.toString(epochSeconds);
      String signature = Base64.getEncoder().encodeToString(
          EspSigners.sign("SHA256withECDSA", keys.getPrivate(), timestamp.getBytes(UTF_8), body));
      return signed(contentType, plus(headers, SendGridProvider.TIMESTAMP_HEADER, timestamp,
          SendGridProvider.SIGNATURE_HEADER, signature), body, signature);
    }
  }

  /** Base64 HMAC-SHA1 over the configured URL and the sorted, decoded form fields. */
  static final class Mandrill implements Signer {
    private static final String URL = "https://gateway.example.com/webhooks/mandrill";
    private final String key = secret();

    @Override public String provider() { return "mandrill"; }
    @Override public String contentType() { return "application/x-www-form-urlencoded"; }
    @Override public List<String> secrets() { return List.of(key); }

    @Override
    public JsonObject source(String id) {
      return new JsonObject().put("id", id).put("provider", "mandrill").put("webhook_keys", new JsonArray().add(key))
          .put("webhook_url", URL);
    }

    @Override
    public Signed sign(String contentType, Map<String, String> headers, byte[] body) {
      TreeMap<String, String> fields = decodedFields(new String(body, UTF_8));
      if (fields == null) {
        return signed(contentType, headers, body);
      }
      StringBuilder signedString = new StringBuilder(URL);
      fields.forEach((name, value) -> signedString.append(name).append(value));
      String signature = Base64.getEncoder().encodeToString(
          Hmacs.hmac("HmacSHA1", key.getBytes(UTF_8), signedString.toString().getBytes(UTF_8)));
      return signed(contentType, plus(headers, "X-Mandrill-Signature", signature), body, signature);
    }

    @Override
    public Signed wrap(byte[] payload) {
      return sign(("mandrill_events=" + URLEncoder.encode(new String(payload, UTF_8), UTF_8)).getBytes(UTF_8));
    }

    /** Form fields as Mandrill signs them: decoded, last value of a name, sorted by name. */
    static TreeMap<String, String> decodedFields(String form) {
      TreeMap<String, String> fields = new TreeMap<>();
      for (String pair : form.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        try {
          fields.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), UTF_8),
              eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), UTF_8));
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
      return fields;
    }
  }

  /**
   * Standard Webhooks: base64 HMAC-SHA256 over {@code id.timestamp.body} with the decoded
   * {@code whsec_} secret; Resend sends the headers as {@code svix-*}.
   */
  static final class StandardWebhooks implements Signer {
    private final String provider;
    private final String prefix;
    private final byte[] key = secret().getBytes(UTF_8);
    private final String whsec = "whsec_" + Base64.getEncoder().encodeToString(key);

    StandardWebhooks(String provider, String prefix) {
      this.provider = provider;
      this.prefix = prefix;
    }

    @Override public String provider() { return provider; }
    @Override public String contentType() { return "application/json"; }
    @Override public List<String> secrets() { return List.of(whsec, whsec.substring(6)); }

    @Override
    public JsonObject source(String id) {
      return new JsonObject().put("id", id).put("provider", provider).put("signing_secrets", new JsonArray().add(whsec));
    }

    @Override
    public Signed sign(String contentType, Map<String, String> headers, byte[] body) {
      return signAt(System.currentTimeMillis() / 1000, contentType, headers, body);
    }

    @Override
    public Signed signAt(long epochSeconds, byte[] body) {
      return signAt(epochSeconds, contentType(), Map.of(), body);
    }

    private Signed signAt(long epochSeconds, String contentType, Map<String, String> headers, byte[] body) {
      String id = headers.getOrDefault(prefix + "id", "msg_" + UUID.randomUUID().toString().replace("-", ""));
      String timestamp = Long.toString(epochSeconds);
      String signature = "v1," + Base64.getEncoder().encodeToString(
          Hmacs.hmac("HmacSHA256", key, (id + "." + timestamp + ".").getBytes(UTF_8), body));
      return signed(contentType, plus(headers, prefix + "id", id, prefix + "timestamp", timestamp,
          prefix + "signature", signature), body, signature);
    }
  }

  /** Hex HMAC-SHA256 of the raw body in {@code Signature}. */
  static final class MailerSend implements Signer {
    private final String key = secret();

    @Override public String provider() { return "mailersend"; }
    @Override public String contentType() { return "application/json"; }
    @Override public List<String> secrets() { return List.of(key); }

    @Override
    public JsonObject source(String id) {
      return new JsonObject().put("id", id).put("provider", "mailersend").put("signing_secrets", new JsonArray().add(key));
    }

    @Override
    public Signed sign(String contentType, Map<String, String> headers, byte[] body) {
      String signature = HexFormat.of().formatHex(Hmacs.hmac("HmacSHA256", key.getBytes(UTF_8), body));
      return signed(contentType, plus(headers, "Signature", signature), body, signature);
    }
  }

  /** Hex HMAC-SHA256 of the raw body in {@code Mailtrap-Signature}, plus basic auth. */
  static final class Mailtrap implements Signer {
    private final String key = secret();
    private final String password = secret();

    @Override public String provider() { return "mailtrap"; }
    @Override public String contentType() { return "application/json"; }
    @Override public List<String> secrets() { return List.of(key, password); }

    @Override
    public JsonObject source(String id) {
      return new JsonObject().put("id", id).put("provider", "mailtrap").put("signing_secrets", new JsonArray().add(key))
          .put("basic_auth", new JsonArray().add(new JsonObject().put("username", "mailtrap").put("password", password)));
    }

    @Override
    public Signed sign(String contentType, Map<String, String> headers, byte[] body) {
      String signature = HexFormat.of().formatHex(Hmacs.hmac("HmacSHA256", key.getBytes(UTF_8), body));
      String authorization = "Basic " + Base64.getEncoder().encodeToString(("mailtrap:" + password).getBytes(UTF_8));
      return signed(contentType, plus(headers, "Mailtrap-Signature", signature, "Authorization", authorization), body,
          signature, authorization);
    }
  }

  /** RSA PKCS#1 v1.5 over the raw body: SHA-256 and (for older Postal) SHA-1. */
  static final class Postal implements Signer {
    private final KeyPair keys = keyPair("RSA", null, 2048);

    @Override public String provider() { return "postal"; }
    @Override public String contentType() { return "application/json"; }
    @Override public List<String> secrets() { return List.of(); }

    @Override
    public JsonObject source(String id) {
      return new JsonObject().put("id", id).put("provider", "postal")
          .put("public_keys", new JsonArray().add(Base64.getEncoder().encodeToString(keys.getPublic().getEncoded())));
    }

    @Override
    public Signed sign(String contentType, Map<String, String> headers, byte[] body) {
      String sha256 = Base64.getEncoder().encodeToString(EspSigners.sign("SHA256withRSA", keys.getPrivate(), body));
      String sha1 = Base64.getEncoder().encodeToString(EspSigners.sign("SHA1withRSA", keys.getPrivate(), body));
      return signed(contentType, plus(headers, "X-Postal-Signature-256", sha256, "X-Postal-Signature", sha1), body,
          sha256, sha1);
    }
  }
}
