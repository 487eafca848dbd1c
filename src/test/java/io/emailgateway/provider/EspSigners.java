package io.emailgateway.provider;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.emailgateway.auth.Hmacs;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every provider's request as its ESP would send it, signed with freshly generated credentials:
 * the source configuration that verifies them, and a signer for any body. Written from the ESPs'
 * schemes (REFERENCE.md), independently of the providers' own verification code, so the
 * reliability suites can push signed hostile bodies past authentication into the parsers and
 * prove that a changed byte is refused. SES needs a local stand-in for the SNS certificate host:
 * {@link #create} starts one on {@code vertx}.
 */
public final class EspSigners {
  /** One request: what goes on the wire. {@code secrets} are the credential-bearing values in it. */
  public record Signed(String contentType, Map<String, String> headers, byte[] body, List<String> secrets) {
    /** The request as a provider sees it (for unit tests that bypass HTTP). */
    public WebhookRequest request() {
      return TestRequests.request(contentType, headers, body);
    }

    /** Headers including Content-Type, for an HTTP client. */
    public Map<String, String> httpHeaders() {
      Map<String, String> all = new LinkedHashMap<>(headers);
      all.put("Content-Type", contentType);
      return all;
    }
  }

  /** One ESP: its source configuration and how it signs. */
  public interface Signer {
    String provider();

    /** The source configuration (credentials included) of a source with this id. */
    JsonObject source(String id);

    /** Every configured secret (passwords, keys, tokens), to prove none is ever logged. */
    List<String> secrets();

    String contentType();

    /**
     * Signs a whole body as the ESP would post it. Where the ESP's signature lives inside the
     * body (Mailgun's block, Unisender Go's {@code auth}, the SNS envelope) it is replaced; a body
     * that cannot carry it (not JSON) goes out unsigned.
     */
    Signed sign(String contentType, Map<String, String> headers, byte[] body);

    default Signed sign(byte[] body) {
      return sign(contentType(), Map.of(), body);
    }

    /**
     * Signed as at {@code epochSeconds}, for the schemes that sign a time (SendGrid, Mailgun,
     * Standard Webhooks); the others ignore it.
     */
    default Signed signAt(long epochSeconds, byte[] body) {
      return sign(body);
    }

    /**
     * {@code payload} placed where this ESP puts its events (the whole body for most; Mailgun's
     * {@code event-data}, Mandrill's {@code mandrill_events}, Unisender Go's events list, the SNS
     * {@code Message}), then signed: hostile events reach the parser with a valid signature.
     */
    default Signed wrap(byte[] payload) {
      return sign(payload);
    }

    /** The provider, built from {@link #source} as the gateway builds it. */
    default WebhookProvider provider(Vertx vertx) {
      return ProviderRegistry.create(SourceConfig.from(new ConfigSection(source("t"), "sources[0]")), vertx);
    }
  }

  private final List<Signer> all;
  private final SnsTestServer snsServer;

  private EspSigners(List<Signer> all, SnsTestServer snsServer) {
    this.all = all;
    this.snsServer = snsServer;
  }

  /** Fresh credentials for all 14 providers; the SNS certificate host listens on {@code vertx}. */
  public static EspSigners create(Vertx vertx, Path workDir) {
    try {
      SnsTestServer server = new SnsTestServer(vertx).start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      List<Signer> signers = List.of(new SendGrid(), new Mailgun(), basic("postmark"), new Ses(server, workDir),
          new Mandrill(), basic("sparkpost"), basic("mailjet"), basic("brevo"), new StandardWebhooks("resend", "svix-"),
          new MailerSend(), new Postal(), new Mailtrap(), new UnisenderGo(), new StandardWebhooks("standard", "webhook-"));
      return new EspSigners(signers, server);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the SNS certificate host", e);
    }
  }

  public List<Signer> all() {
    return all;
  }

  public Signer of(String provider) {
    return all.stream().filter(s -> s.provider().equals(provider)).findFirst().orElseThrow();
  }

  /** Requests the SNS stand-in got for {@code path} (signature-attack tests prove nothing was fetched). */
  public int snsHits(String path) {
    return snsServer.hits(path);
  }

  public String snsUrl(String path) {
    return snsServer.url(path);
  }

  /** Every request the SNS stand-in got, whatever the path. */
  public int snsTotalHits() {
    return snsServer.totalHits();
  }

  static String secret() {
    return "sec" + UUID.randomUUID().toString().replace("-", "");
  }

  private static Signed signed(String contentType, Map<String, String> headers, byte[] body, String... secrets) {
    return new Signed(contentType, Map.copyOf(headers), body, List.of(secrets));
  }

  private static Map<String, String> plus(Map<String, String> headers, String... pairs) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    for (int i = 0; i < pairs.length; i += 2) {
      all.put(pairs[i], pairs[i + 1]);
    }
    return all;
  }

  static KeyPair keyPair(String algorithm, java.security.spec.AlgorithmParameterSpec spec, int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (spec != null) {
        generator.initialize(spec);
      } else {
        generator.initialize(bits);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sign(String algorithm, java.security.PrivateKey key, byte[]... parts) {
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      for (byte[] part : parts) {
        signer.update(part);
      }
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject jsonOrNull(byte[] body) {
    try {
      return io.vertx.core.json.Json.decodeValue(io.vertx.core.buffer.Buffer.buffer(body)) instanceof JsonObject o ? o : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Basic basic(String provider) {
    return new Basic(provider);
  }

  /** Postmark, SparkPost, Mailjet, Brevo: basic auth from the URL, nothing signed. */
  private static final class Basic implements Signer {
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
  private static final class SendGrid implements Signer {
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

  /** Hex HMAC-SHA256 of timestamp + token, in the body's {@code signature} block. */
  private static final class Mailgun implements Signer {
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
  private static final class StandardWebhooks implements Signer {
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
  private static final class MailerSend implements Signer {
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
  private static final class Mailtrap implements Signer {
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
  private static final class Postal implements Signer {
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

  /** {@code auth} = MD5 hex of the body with the API key standing where that value stands. */
  private static final class UnisenderGo implements Signer {
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
  private static final class Ses implements Signer {
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

  /** The values of all signer's secrets, plus the ones of these requests. */
  public List<String> allSecrets(List<Signed> requests) {
    List<String> secrets = new ArrayList<>();
    all.forEach(s -> secrets.addAll(s.secrets()));
    requests.forEach(r -> secrets.addAll(r.secrets()));
    return secrets;
  }
}
