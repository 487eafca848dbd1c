package io.emailgateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
  private final ClientAddress behindProxy = new ClientAddress(Cidrs.parse("http.trusted_proxies", List.of("10.0.0.0/8", "fd00::/8")));

  @Test
  void forwardedForIsIgnoredFromAnUntrustedPeer() {
    assertThat(behindProxy.resolve("203.0.113.9", "198.51.100.1")).isEqualTo("203.0.113.9");
  }

  @Test
  void clientIsTheRightMostAddressThatIsNotATrustedProxy() {
    assertThat(behindProxy.resolve("10.1.2.3", "1.2.3.4, 198.51.100.7, 10.9.9.9")).isEqualTo("198.51.100.7");
    assertThat(behindProxy.resolve("fd00::1", "2001:db8::5")).isEqualTo("2001:db8::5");
  }

  @Test
  void aHeaderThatIsNotAnAddressFallsBackToThePeer() {
    assertThat(behindProxy.resolve("10.1.2.3", "evil.example.com")).isEqualTo("10.1.2.3");
  }

  @Test
  void cidrsMatchOnlyTheirRange() {
    Cidrs cidrs = Cidrs.parse("k", List.of("192.168.1.0/24"));
    assertThat(cidrs.contains("192.168.1.200")).isTrue();
    assertThat(cidrs.contains("192.168.2.1")).isFalse();
    assertThat(cidrs.contains("not-an-ip")).isFalse();
  }

  @Test
  void invalidCidrNamesTheKey() {
    assertThatThrownBy(() -> Cidrs.parse("sources[0].allowed_cidrs", List.of("10.0.0.0/40")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sources[0].allowed_cidrs");
  }
}
