package io.emailgateway.cli;

import io.emailgateway.auth.Hmacs;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Developer helpers for trying a gateway with curl, signing exactly as the ESP would:
 * <pre>
 * keygen sendgrid DIR                       writes DIR/sendgrid.key (PKCS#8) and DIR/sendgrid.pub (the
 *                                           base64 "verification key" for public_keys)
 * sign sendgrid KEYFILE URL BODYFILE        prints a curl command with SendGrid's signature headers
 * sign mailgun SIGNING_KEY URL BODYFILE     writes BODYFILE.signed (a fresh signature block inside
 *                                           the body, as Mailgun sends it) and prints the curl command
 * </pre>
 */
public final class SignCommand {
  private SignCommand() {}

  public static int run(String command, String[] args) {
    try {
      if (command.equals("keygen") && args.length == 2 && args[0].equals("sendgrid")) {
        return keygen(Path.of(args[1]));
      }
      if (command.equals("sign") && args.length == 4 && args[0].equals("sendgrid")) {
        System.out.println(signSendGrid(Path.of(args[1]), args[2], Path.of(args[3]), System.currentTimeMillis() / 1000));
        return 0;
      }
      if (command.equals("sign") && args.length == 4 && args[0].equals("mailgun")) {
        System.out.println(signMailgun(args[1], args[2], Path.of(args[3]), System.currentTimeMillis() / 1000));
        return 0;
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      System.err.println(command + " failed: " + e.getMessage());
      return 1;
    }
    System.err.println("""
        usage: keygen sendgrid DIR
               sign sendgrid PRIVATE_KEY_FILE URL BODY_FILE
               sign mailgun SIGNING_KEY URL BODY_FILE""");
    return 2;
  }

  private static int keygen(Path dir) throws IOException, GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    KeyPair pair = generator.generateKeyPair();
    Files.createDirectories(dir);
    Base64.Encoder base64 = Base64.getEncoder();
    Files.writeString(dir.resolve("sendgrid.key"), base64.encodeToString(pair.getPrivate().getEncoded()) + "\n");
    Files.writeString(dir.resolve("sendgrid.pub"), base64.encodeToString(pair.getPublic().getEncoded()) + "\n");
    System.out.println(base64.encodeToString(pair.getPublic().getEncoded()));
    return 0;
  }

  /** SendGrid signs timestamp + raw body with ECDSA P-256 / SHA-256, DER, base64. */
  static String signSendGrid(Path keyFile, String url, Path body, long timestamp) throws IOException, GeneralSecurityException {
    byte[] der = Base64.getDecoder().decode(Files.readString(keyFile).trim());
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(Long.toString(timestamp).getBytes(StandardCharsets.UTF_8));
    signer.update(Files.readAllBytes(body));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("X-Twilio-Email-Event-Webhook-Timestamp", Long.toString(timestamp));
    headers.put("X-Twilio-Email-Event-Webhook-Signature", Base64.getEncoder().encodeToString(signer.sign()));
    return curl(url, headers, body);
  }

  /** Mailgun signs timestamp + token with HMAC-SHA256 (hex); the block travels inside the JSON body. */
  static String signMailgun(String signingKey, String url, Path body, long timestamp) throws IOException {
    JsonObject payload = new JsonObject(Files.readString(body));
    byte[] random = new byte[25];
    new SecureRandom().nextBytes(random);
    String token = HexFormat.of().formatHex(random);
    String signature = HexFormat.of().formatHex(Hmacs.hmac("HmacSHA256", signingKey.getBytes(StandardCharsets.UTF_8),
        (timestamp + token).getBytes(StandardCharsets.UTF_8)));
    payload.put("signature", new JsonObject().put("timestamp", Long.toString(timestamp)).put("token", token)
        .put("signature", signature));
    Path signed = Path.of(body + ".signed");
    Files.writeString(signed, payload.encode());
    return curl(url, Map.of("Content-Type", "application/json"), signed);
  }

  private static String curl(String url, Map<String, String> headers, Path body) {
    StringBuilder command = new StringBuilder("curl -sS -X POST '").append(url).append("'");
    headers.forEach((name, value) -> command.append(" -H '").append(name).append(": ").append(value).append("'"));
    return command.append(" --data-binary @'").append(body).append("'").toString();
  }
}
