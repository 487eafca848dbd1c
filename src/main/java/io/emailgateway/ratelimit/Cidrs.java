package io.emailgateway.ratelimit;

import io.emailgateway.config.ConfigException;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * A list of CIDR ranges (IPv4 and IPv6), matched with Netty's subnet rules. Addresses are parsed
 * as literals only — never resolved, so a forged header cannot cause a DNS lookup.
 */
public final class Cidrs {
  private final List<IpSubnetFilterRule> rules;

  private Cidrs(List<IpSubnetFilterRule> rules) {
    this.rules = rules;
  }

  public static Cidrs parse(String key, List<String> cidrs) {
    return new Cidrs(cidrs.stream().map(cidr -> rule(key, cidr)).toList());
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Whether the literal address lies in one of the ranges; false for anything not an IP literal. */
  public boolean contains(String address) {
    InetSocketAddress socket = literal(address);
    if (socket == null) {
      return false;
    }
    for (IpSubnetFilterRule rule : rules) {
      if (rule.matches(socket)) {
        return true;
      }
    }
    return false;
  }

  static InetSocketAddress literal(String address) {
    byte[] bytes = address == null ? null : NetUtil.createByteArrayFromIpAddressString(address.trim());
    if (bytes == null) {
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(bytes), 0);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static IpSubnetFilterRule rule(String key, String cidr) {
    String[] parts = cidr.trim().split("/");
    InetSocketAddress address = literal(parts[0]);
    if (address == null || parts.length > 2) {
      throw ConfigException.invalid(key, "'" + cidr + "' is not an address or CIDR range");
    }
    int maxPrefix = address.getAddress().getAddress().length * 8;
    try {
      int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : maxPrefix;
      if (prefix < 0 || prefix > maxPrefix) {
        throw new NumberFormatException();
      }
      return new IpSubnetFilterRule(address.getAddress(), prefix, IpFilterRuleType.ACCEPT);
    } catch (NumberFormatException e) {
      throw ConfigException.invalid(key, "'" + cidr + "' has an invalid prefix length");
    }
  }
}
