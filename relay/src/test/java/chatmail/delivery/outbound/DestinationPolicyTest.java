package chatmail.delivery.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** SEC-5's address rule: which destinations outbound delivery may connect to. */
class DestinationPolicyTest {

    private final DestinationPolicy policy = DestinationPolicy.refusing(Set.of());

    @ParameterizedTest
    @ValueSource(strings = {
        "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1",
        "127.1.2.3", "169.254.0.1", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.168.1.1",
        "198.18.0.1", "198.19.255.255", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "192.0.2.1", "198.51.100.1", "203.0.113.1", "2001:db8::1",
        "::", "::1", "::127.0.0.1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "fc00::1", "fd12:3456::1", "fe80::1",
        "febf::1", "fec0::1", "ff02::1", "ff05::2", "100::1", "64:ff9b::10.0.0.1", "64:ff9b::7f00:1",
        "2002:7f00:1::1", "2002:c0a8:101::1"})
    void loopbackPrivateLinkLocalMulticastAndReservedAreRefused(String address) {
        assertThat(policy.permits(InetAddress.ofLiteral(address))).as(address).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "1.1.1.1", "9.9.9.9", "100.63.255.255", "100.128.0.1", "126.255.255.255", "128.0.0.1", "172.15.255.255",
        "172.32.0.1", "192.0.1.1", "192.167.255.255", "192.169.0.1", "198.17.255.255", "198.20.0.1",
        "223.255.255.255", "2a01:4f8::1", "2001:4860:4860::8888", "::ffff:1.1.1.1", "64:ff9b::101:101",
        "2002:101:101::1"})
    void publicAddressesArePermitted(String address) {
        assertThat(policy.permits(InetAddress.ofLiteral(address))).as(address).isTrue();
    }

    @Test
    void theRelaysOwnAddressesAreRefusedEvenWhenPublic() throws Exception {
        // Not documentation prefixes: those are reserved, refused whoever owns them.
        InetAddress own = InetAddress.ofLiteral("203.0.114.7");
        InetAddress ownV6 = InetAddress.ofLiteral("2a01:4f8::25");
        DestinationPolicy relay = DestinationPolicy.refusing(Set.of(own, ownV6));
        assertThat(relay.permits(own)).isFalse();
        assertThat(relay.permits(InetAddress.ofLiteral("2a01:4f8:0:0::25"))).isFalse();
        assertThat(relay.permits(InetAddress.ofLiteral("203.0.114.8"))).isTrue();
        assertThat(relay.permitted(List.of(InetAddress.ofLiteral("10.0.0.1"), own, InetAddress.ofLiteral("203.0.114.8"))))
                .containsExactly(InetAddress.ofLiteral("203.0.114.8"));
    }

    @Test
    void aRelayCountsItsInterfacesAndListenAddressesAsItsOwn() throws Exception {
        Config.Builder b = Config.builder("chat.example.org");
        b.listenAddresses = List.of("198.51.101.25");
        DestinationPolicy relay = DestinationPolicy.forRelay(b.build());
        assertThat(relay.permits(InetAddress.ofLiteral("198.51.101.25"))).isFalse();
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                assertThat(relay.permits(a)).as(nic.getName() + " " + a).isFalse();
            }
        }
    }

    @Test
    void allowPrivateDestinationsPermitsEverything() {
        Config.Builder b = Config.builder("chat.example.org");
        b.allowPrivateDestinations = true;
        DestinationPolicy open = DestinationPolicy.forRelay(b.build());
        for (String a : List.of("127.0.0.1", "10.0.0.1", "::1", "fe80::1", "ff02::1", "169.254.1.1")) {
            assertThat(open.permits(InetAddress.ofLiteral(a))).as(a).isTrue();
        }
    }
}
