package chatmail.turn;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * A peer transport address an allocation exchanges packets with, kept so the relay path finds
 * the socket address, the permission and the channel without allocating.
 */
final class Peer {
    final InetSocketAddress address;
    final byte[] ip;
    final int port;
    Permission permission;
    ChannelBinding channel;
    /** For restricted permissions: the allocation of ours relayed at this address, if still alive. */
    Allocation local;

    Peer(InetSocketAddress address, Permission permission) {
        this.address = address;
        this.ip = address.getAddress().getAddress();
        this.port = address.getPort();
        this.permission = permission;
    }

    boolean matches(byte[] otherIp, int length, int otherPort) {
        return port == otherPort && ip.length == length && Arrays.equals(ip, 0, length, otherIp, 0, length);
    }
}
