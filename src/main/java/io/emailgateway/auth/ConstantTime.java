package io.emailgateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/** Comparisons whose time does not depend on where two secrets first differ. */
public final class ConstantTime {
  private ConstantTime() {}

  public static boolean equals(byte[] expected, byte[] actual) {
    return expected != null && actual != null && MessageDigest.isEqual(expected, actual);
  }

  public static boolean equals(String expected, String actual) {
    return expected != null && actual != null
        && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether {@code actual} equals any of the candidates. Every candidate is compared, so the
   * time does not tell which one (or whether an early one) matched.
   */
  public static boolean equalsAny(List<byte[]> candidates, byte[] actual) {
    boolean match = false;
    for (byte[] candidate : candidates) {
      match |= equals(candidate, actual);
    }
    return match;
  }
}
