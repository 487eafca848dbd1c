package io.emailgateway.ratelimit;

/**
 * The client's address for per-IP limits and source allow-lists. {@code X-Forwarded-For} is
 * honoured only when the connection comes from a configured trusted proxy; then the client is
 * the right-most entry that is not itself a trusted proxy (entries further left are whatever the
 * client chose to send).
 */
public final class ClientAddress {
  private final Cidrs trustedProxies;

  public ClientAddress(Cidrs trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  public String resolve(String peer, String forwardedFor) {
    if (forwardedFor == null || forwardedFor.isBlank() || !trustedProxies.contains(peer)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (Cidrs.literal(hop) == null) {
        return peer;
      }
      if (!trustedProxies.contains(hop)) {
        return hop;
      }
    }
    return hops[0].trim();
  }
}
