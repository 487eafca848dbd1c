package io.emailgateway.provider;


import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Every provider's request as its ESP would send it, signed with freshly generated credentials:
 * the source configuration that verifies them, and a signer for any body. Written from the ESPs'
 * schemes (REFERENCE.md), independently of the providers' own verification code, so the
 * reliability suites can push signed hostile bodies past authentication into the parsers and
 * prove that a changed byte is refused. SES needs a local stand-in for the SNS certificate host:
 * {@link #create} starts one on {@code vertx}. The signers are in {@link HeaderSigners} (proof in
 * headers) and {@link BodySigners} (proof inside the body).
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
      List<Signer> signers = List.of(new HeaderSigners.SendGrid(), new BodySigners.Mailgun(), HeaderSigners.basic("postmark"),
          new BodySigners.Ses(server, workDir), new HeaderSigners.Mandrill(), HeaderSigners.basic("sparkpost"),
          HeaderSigners.basic("mailjet"), HeaderSigners.basic("brevo"), new HeaderSigners.StandardWebhooks("resend", "svix-"),
          new HeaderSigners.MailerSend(), new HeaderSigners.Postal(), new HeaderSigners.Mailtrap(), new BodySigners.UnisenderGo(),
          new HeaderSigners.StandardWebhooks("standard", "webhook-"));
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

  static Signed signed(String contentType, Map<String, String> headers, byte[] body, String... secrets) {
    return new Signed(contentType, Map.copyOf(headers), body, List.of(secrets));
  }

  static Map<String, String> plus(Map<String, String> headers, String... pairs) {
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

  /** The values of all signer's secrets, plus the ones of these requests. */
  public List<String> allSecrets(List<Signed> requests) {
    List<String> secrets = new ArrayList<>();
    all.forEach(s -> secrets.addAll(s.secrets()));
    requests.forEach(r -> secrets.addAll(r.secrets()));
    return secrets;
  }
}
