package io.emailgateway.bench;

import io.emailgateway.provider.SnsTestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The credentials of one bench run, made fresh by {@code Bench prepare} into its work directory:
 * a SendGrid P-256 key pair, a Mailgun signing key, and an SNS root CA with a signing certificate
 * (served by the bench on 127.0.0.1 during the run). {@code bench.env} holds what the gateway's
 * bench config reads from the environment.
 */
record BenchKeys(PrivateKey sendGridKey, String sendGridPublicKey, String mailgunKey, PrivateKey snsKey,
    String snsCertificatePem) {
  static final String TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:bench-ses-events";
  static final String CERT_PATH = "/certs/bench-signer.pem";

  static void prepare(Path dir, int certPort) throws IOException, GeneralSecurityException {
    Files.createDirectories(dir);
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair sendGrid = ec.generateKeyPair();
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    SnsTestPki.Issued root = SnsTestPki.rootCa("CN=Bench SNS Root");
    SnsTestPki.Issued signer = SnsTestPki.signingCert(root);
    Files.writeString(dir.resolve("sendgrid.key"), base64(sendGrid.getPrivate().getEncoded()));
    Files.writeString(dir.resolve("sendgrid.pub"), base64(sendGrid.getPublic().getEncoded()));
    Files.writeString(dir.resolve("mailgun.key"), "key-" + HexFormat.of().formatHex(secret));
    Files.writeString(dir.resolve("ses-anchors.pem"), root.pem());
    Files.writeString(dir.resolve("ses-signer.pem"), signer.pem());
    Files.writeString(dir.resolve("ses-signer.key"), base64(signer.keys().getPrivate().getEncoded()));
    Files.writeString(dir.resolve("bench.env"), String.join("\n",
        "BENCH_SENDGRID_PUBLIC_KEY='" + base64(sendGrid.getPublic().getEncoded()) + "'",
        "BENCH_MAILGUN_SIGNING_KEY='" + Files.readString(dir.resolve("mailgun.key")) + "'",
        "BENCH_SES_TOPIC_ARN='" + TOPIC_ARN + "'",
        "BENCH_SES_CERT_URL_PATTERN='" + certUrl(certPort).replace(".", "\\.") + "'",
        "BENCH_SES_TRUST_ANCHORS='" + dir.resolve("ses-anchors.pem").toAbsolutePath() + "'", ""));
  }

  static BenchKeys load(Path dir) throws IOException, GeneralSecurityException {
    return new BenchKeys(
        privateKey("EC", Files.readString(dir.resolve("sendgrid.key"))),
        Files.readString(dir.resolve("sendgrid.pub")).trim(),
        Files.readString(dir.resolve("mailgun.key")).trim(),
        privateKey("RSA", Files.readString(dir.resolve("ses-signer.key"))),
        Files.readString(dir.resolve("ses-signer.pem")));
  }

  static String certUrl(int certPort) {
    return "http://127.0.0.1:" + certPort + CERT_PATH;
  }

  private static PrivateKey privateKey(String algorithm, String base64) throws GeneralSecurityException {
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
