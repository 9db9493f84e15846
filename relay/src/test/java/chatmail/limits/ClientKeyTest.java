package chatmail.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Whom SEC-3 counts as one client: an IPv4 address, an IPv6 /64. */
class ClientKeyTest {

    private static String key(String literal) {
        return ClientKey.of(InetAddress.ofLiteral(literal));
    }

    @Test
    void ipv4AddressesAreTheirOwnClients() {
        assertThat(key("192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(key("192.0.2.2")).isNotEqualTo(key("192.0.2.1"));
    }

    @Test
    void ipv6AddressesInOneSlash64AreOneClient() {
        assertThat(key("2001:db8:1:2::1")).isEqualTo(key("2001:db8:1:2:ffff:ffff:ffff:ffff"))
                .isEqualTo(key("2001:db8:1:2:aaaa::7")).isEqualTo("20010db800010002::/64");
        // The neighbouring /64s, and one that differs only in the first half's last bit.
        assertThat(key("2001:db8:1:3::1")).isNotEqualTo(key("2001:db8:1:2::1"));
        assertThat(key("2001:db8:1:1::1")).isNotEqualTo(key("2001:db8:1:2::1"));
        assertThat(key("2001:db8:0:0:8000::1")).isEqualTo(key("2001:db8::1"));
    }

    @Test
    void ipv4MappedIpv6IsTheIpv4Client() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 1};
        InetAddress viaDualStack = java.net.Inet6Address.getByAddress(null, mapped, -1);
        assertThat(viaDualStack).isInstanceOf(java.net.Inet6Address.class);
        assertThat(ClientKey.of(viaDualStack)).isEqualTo("192.0.2.1");
        assertThat(key("::ffff:192.0.2.1")).isEqualTo("192.0.2.1");
        // Not every ::/96 address is IPv4: an IPv6 address with zero high bits stays IPv6.
        assertThat(key("::1")).isEqualTo("0000000000000000::/64");
    }

    @Test
    void noAddressIsTheRelayItself() {
        assertThat(ClientKey.of(null)).isEqualTo("local");
    }
}
