package io.emailgateway.provider;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for SNS tests: CAs and signing certificates made with BouncyCastle, and SNS
 * messages signed the way SNS signs them. The canonical string is written out here by hand from
 * the AWS field lists, independently of {@link SnsMessage}, so a wrong order there fails the tests.
 * Public for the benchmark, which signs SES notifications the same way.
 */
public final class SnsTestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A key pair with its certificate. */
  public record Issued(KeyPair keys, X509Certificate certificate) {
    public String pem() {
      return SnsTestPki.pem(certificate);
    }
  }

  private SnsTestPki() {}

  public static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Issued rootCa(String name) {
    KeyPair keys = rsa();
    return new Issued(keys, build(name, name, keys, keys.getPrivate(), true, Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(365)), null));
  }

  public static Issued intermediateCa(String name, Issued issuer, String issuerAiaUrl) {
    KeyPair keys = rsa();
    return new Issued(keys, build(name, issuer.certificate().getSubjectX500Principal().getName(), keys,
        issuer.keys().getPrivate(), true, Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(365)), issuerAiaUrl));
  }

  public static Issued signingCert(Issued issuer, Instant notBefore, Instant notAfter, String issuerAiaUrl) {
    KeyPair keys = rsa();
    return new Issued(keys, build("CN=sns.amazonaws.com", issuer.certificate().getSubjectX500Principal().getName(), keys,
        issuer.keys().getPrivate(), false, notBefore, notAfter, issuerAiaUrl));
  }

  public static Issued signingCert(Issued issuer) {
    return signingCert(issuer, Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)), null);
  }

  private static X509Certificate build(String subject, String issuer, KeyPair subjectKeys, PrivateKey issuerKey,
      boolean ca, Instant notBefore, Instant notAfter, String issuerAiaUrl) {
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
          new X500Name(subject), subjectKeys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      if (issuerAiaUrl != null) {
        builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
            AccessDescription.id_ad_caIssuers, new GeneralName(GeneralName.uniformResourceIdentifier, issuerAiaUrl)));
      }
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(X509Certificate certificate) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificate);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** A Notification envelope (unsigned); Subject only when not null. */
  public static JsonObject notification(String topicArn, String messageId, String message, String subject, String certUrl) {
    JsonObject json = new JsonObject().put("Type", "Notification").put("MessageId", messageId).put("TopicArn", topicArn);
    if (subject != null) {
      json.put("Subject", subject);
    }
    return json.put("Message", message).put("Timestamp", "2026-03-26T17:58:59.670Z")
        .put("SigningCertURL", certUrl)
        .put("UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + topicArn + ":x");
  }

  /** A SubscriptionConfirmation (or UnsubscribeConfirmation) envelope (unsigned). */
  public static JsonObject confirmation(String type, String topicArn, String subscribeUrl, String certUrl) {
    return new JsonObject().put("Type", type).put("MessageId", "165545c9-2a5c-472c-8df2-7ff2be2b3b1b")
        .put("Token", "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736")
        .put("TopicArn", topicArn)
        .put("Message", "You have chosen to subscribe to the topic " + topicArn + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.")
        .put("SubscribeURL", subscribeUrl)
        .put("Timestamp", "2026-03-26T17:58:59.000Z")
        .put("SigningCertURL", certUrl);
  }

  /**
   * Signs the envelope as SNS does: "Name\nvalue\n" for Message, MessageId, Subject (if present),
   * Timestamp, TopicArn, Type of a Notification; Message, MessageId, SubscribeURL, Timestamp,
   * Token, TopicArn, Type of a confirmation. Returns the envelope with SignatureVersion and Signature.
   */
  public static JsonObject sign(JsonObject envelope, PrivateKey key, int version) {
    String[] fields = "Notification".equals(envelope.getString("Type"))
        ? new String[] {"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
        : new String[] {"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"};
    StringBuilder canonical = new StringBuilder();
    for (String field : fields) {
      if (envelope.containsKey(field)) {
        canonical.append(field).append('\n').append(envelope.getString(field)).append('\n');
      }
    }
    try {
      Signature signer = Signature.getInstance(version == 1 ? "SHA1withRSA" : "SHA256withRSA");
      signer.initSign(key);
      signer.update(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return envelope.copy().put("SignatureVersion", String.valueOf(version))
          .put("Signature", Base64.getEncoder().encodeToString(signer.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
