package chatmail.limits;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;

/**
 * Whom the limits count as one client (SPEC SEC-3): an IPv4 address, or the /64 of an IPv6
 * address, which one host or one customer line usually holds whole (a host picks a new source
 * address in its /64 at will). IPv4 reached over an IPv4-mapped IPv6 address is IPv4.
 * Keys live only in memory; they are never logged.
 */
public final class ClientKey {

    private ClientKey() {}

    public static String of(InetAddress address) {
        if (address == null) {
            return "local";
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            if (isIpv4Mapped(b)) {
                return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
            }
            return HexFormat.of().formatHex(b, 0, 8) + "::/64";
        }
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        throw new IllegalArgumentException("neither IPv4 nor IPv6: " + address.getClass());
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
