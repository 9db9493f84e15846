package chatmail.turn;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * One number per client for the per-client limits (SPEC TURN-3): an IPv4 address, or the /64 an
 * IPv6 address is in (one customer's network). IPv4 keys carry bit 32, which no /64 of the
 * global unicast space shares.
 */
final class ClientKey {
    private ClientKey() {}

    static long of(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return 0x1_0000_0000L | (((b[0] & 0xFFL) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
        }
        long prefix = 0;
        for (int i = 0; i < 8; i++) {
            prefix = (prefix << 8) | (b[i] & 0xFF);
        }
        return prefix;
    }
}
