package io.emailgateway.provider;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;

/**
 * RSA public keys in the forms operators copy them in: PEM ({@code BEGIN PUBLIC KEY}, or PKCS#1
 * {@code BEGIN RSA PUBLIC KEY}), bare base64 of the DER (what {@code postal default-dkim-record}
 * shows after {@code p=}), or that whole DKIM record ({@code v=DKIM1; t=s; h=sha256; p=…}).
 */
final class RsaPublicKeys {
  private static final Pattern DKIM_P_TAG = Pattern.compile("(?:^|;)\\s*p\\s*=\\s*([^;]*)");
  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

  private RsaPublicKeys() {}

  /** The key, or IllegalArgumentException saying which form was expected (never echoing the key). */
  static PublicKey parse(String text) {
    String trimmed = text.trim();
    Matcher pem = PEM.matcher(trimmed);
    try {
      if (pem.find()) {
        byte[] der = Base64.getMimeDecoder().decode(pem.group(2));
        return "RSA PUBLIC KEY".equals(pem.group(1)) ? fromPkcs1(der) : fromSpki(der);
      }
      Matcher dkim = DKIM_P_TAG.matcher(trimmed);
      String base64 = dkim.find() ? dkim.group(1) : trimmed;
      byte[] der = Base64.getDecoder().decode(base64.replaceAll("\\s", ""));
      return fromSpkiOrPkcs1(der);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException("not an RSA public key (PEM, base64 DER, or a DKIM record with p=)");
    }
  }

  private static PublicKey fromSpkiOrPkcs1(byte[] der) throws GeneralSecurityException {
    try {
      return fromSpki(der);
    } catch (GeneralSecurityException e) {
      return fromPkcs1(der);
    }
  }

  private static PublicKey fromSpki(byte[] der) throws GeneralSecurityException {
    return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
  }

  private static PublicKey fromPkcs1(byte[] der) throws GeneralSecurityException {
    try {
      RSAPublicKey key = RSAPublicKey.getInstance(der);
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
    } catch (RuntimeException e) {
      throw new GeneralSecurityException("not PKCS#1 either", e);
    }
  }
}
