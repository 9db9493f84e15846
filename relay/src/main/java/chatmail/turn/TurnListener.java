package chatmail.turn;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.HashMap;
import java.util.Map;

/**
 * One listening socket (SPEC TURN-2: one per local address) and the allocations of the clients
 * that talk to it, by their address: with the socket, the client address is the 5-tuple.
 */
final class TurnListener {
    final DatagramChannel channel;
    final InetSocketAddress local;
    final Map<InetSocketAddress, Allocation> allocations = new HashMap<>();

    TurnListener(DatagramChannel channel, InetSocketAddress local) {
        this.channel = channel;
        this.local = local;
    }
}
