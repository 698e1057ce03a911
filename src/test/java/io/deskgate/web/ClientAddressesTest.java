package io.deskgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskgate.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {

  final ClientAddresses behindProxies = new ClientAddresses(List.of("10.0.0.0/8", "127.0.0.1", "fd00::/8"));

  @Test
  void withoutTrustedProxiesThePeerIsTheClientWhateverItSends() {
    ClientAddresses none = new ClientAddresses(List.of());
    assertThat(none.of("127.0.0.1", List.of(), List.of("192.0.2.7"))).isEqualTo("127.0.0.1");
  }

  @Test
  void anUntrustedPeerCannotChooseItsAddress() {
    assertThat(behindProxies.of("198.51.100.4", List.of("for=192.0.2.7"), List.of("192.0.2.7"))).isEqualTo("198.51.100.4");
  }

  @Test
  void theRightmostUntrustedHopIsTheClient() {
    assertThat(behindProxies.of("127.0.0.1", List.of(), List.of("192.0.2.66, 192.0.2.7, 10.1.2.3"))).isEqualTo("192.0.2.7");
    assertThat(behindProxies.of("10.9.9.9", List.of(), List.of("192.0.2.66", "192.0.2.8"))).isEqualTo("192.0.2.8");
    assertThat(behindProxies.of("127.0.0.1", List.of("for=192.0.2.60;proto=https, for=\"[2001:db8::1]\""), List.of("1.1.1.1")))
        .isEqualTo("2001:db8:0:0:0:0:0:1");
  }

  @Test
  void namesAndGarbageAreNotAddressesAndLeaveThePeer() {
    assertThat(behindProxies.of("127.0.0.1", List.of(), List.of("evil.example.com"))).isEqualTo("127.0.0.1");
    assertThat(behindProxies.of("127.0.0.1", List.of(), List.of("999.1.1.1"))).isEqualTo("127.0.0.1");
    assertThat(behindProxies.of("127.0.0.1", List.of(), List.of())).isEqualTo("127.0.0.1");
  }

  @Test
  void badCidrsAreConfigErrors() {
    assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.0/33"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new ClientAddresses(List.of("proxy.example"))).isInstanceOf(ConfigException.class);
  }
}
