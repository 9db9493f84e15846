package chatmail.turn;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * A permission (RFC 8656 section 9): packets to and from this peer IP address may pass until it
 * expires. A restricted one is for an address TURN-3 refuses, allowed only because a live
 * allocation of this server is relayed there: it lets packets pass only for such ports.
 */
final class Permission {
    final InetAddress address;
    final byte[] ip;
    final boolean restricted;
    long expiresAt;

    Permission(InetAddress address, boolean restricted, long expiresAt) {
        this.address = address;
        this.ip = address.getAddress();
        this.restricted = restricted;
        this.expiresAt = expiresAt;
    }

    boolean matches(byte[] otherIp, int length) {
        return ip.length == length && Arrays.equals(ip, 0, length, otherIp, 0, length);
    }
}
