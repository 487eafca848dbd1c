package io.emailgateway.auth;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC over raw bytes, the primitive of most ESP signatures. */
public final class Hmacs {
  private Hmacs() {}

  /** {@code algorithm} is a JCA name such as {@code HmacSHA256} or {@code HmacSHA1}. */
  public static byte[] hmac(String algorithm, byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is part of every JVM", e);
    }
  }
}
