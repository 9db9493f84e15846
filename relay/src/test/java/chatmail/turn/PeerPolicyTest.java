package chatmail.turn;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.metrics.TurnPeerRefusal;
import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which peer addresses TURN-3 refuses, and why. */
class PeerPolicyTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "127.0.0.1, LOOPBACK", "127.255.0.9, LOOPBACK", "::1, LOOPBACK",
        "10.1.2.3, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.254, PRIVATE", "192.168.1.1, PRIVATE",
        "100.64.0.1, PRIVATE", "fd00::1, PRIVATE", "fc12::1, PRIVATE", "fec0::1, PRIVATE",
        "169.254.1.1, LINK_LOCAL", "fe80::1, LINK_LOCAL",
        "224.0.0.1, MULTICAST", "239.255.255.250, MULTICAST", "ff02::1, MULTICAST",
        "0.0.0.0, RESERVED", "0.1.2.3, RESERVED", "255.255.255.255, RESERVED", "240.0.0.1, RESERVED",
        "192.0.2.1, RESERVED", "198.18.0.1, RESERVED", "198.51.100.1, RESERVED", "203.0.113.1, RESERVED",
        ":: , RESERVED", "::ffff:8.8.8.8, RESERVED", "2001:db8::1, RESERVED", "100::1, RESERVED",
        "64:ff9b::7f00:1, LOOPBACK", "64:ff9b::a00:1, PRIVATE", "2002:c0a8:0101::1, PRIVATE",
    })
    void specialPurposeAddressesAreRefused(String address, TurnPeerRefusal reason) throws Exception {
        assertThat(new PeerPolicy(false, Set.of()).refusal(parse(address))).isEqualTo(reason);
        assertThat(new PeerPolicy(true, Set.of()).refusal(parse(address))).as("turn_allow_private_peers").isNull();
    }

    @ParameterizedTest
    @CsvSource({"8.8.8.8", "172.32.0.1", "100.128.0.1", "1.1.1.1", "2001:4860:4860::8888", "64:ff9b::808:808",
        "2002:0808:0808::1", "172.15.255.255", "192.169.0.1"})
    void globalUnicastAddressesArePeers(String address) throws Exception {
        assertThat(new PeerPolicy(false, Set.of()).refusal(parse(address))).isNull();
    }

    @Test
    void theMachinesOwnPublicAddressesAreRefused() throws Exception {
        InetAddress own = parse("203.0.114.7");
        PeerPolicy policy = new PeerPolicy(false, Set.of(own, parse("2001:4860::7")));
        assertThat(policy.refusal(own)).isEqualTo(TurnPeerRefusal.OWN_ADDRESS);
        assertThat(policy.refusal(parse("2001:4860::7"))).isEqualTo(TurnPeerRefusal.OWN_ADDRESS);
        assertThat(policy.refusal(parse("203.0.114.8"))).isNull();
    }

    private static InetAddress parse(String literal) throws Exception {
        // XorAddress keeps ::ffff:a.b.c.d as IPv6, as it came on the wire.
        byte[] bytes = InetAddress.ofLiteral(literal.strip()).getAddress();
        if (literal.strip().startsWith("::ffff:")) {
            bytes = new byte[16];
            bytes[10] = bytes[11] = (byte) 0xFF;
            System.arraycopy(InetAddress.ofLiteral(literal.strip().substring(7)).getAddress(), 0, bytes, 12, 4);
            return java.net.Inet6Address.getByAddress(null, bytes, null);
        }
        return InetAddress.getByAddress(bytes);
    }
}
