package chatmail.turn;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.random.RandomGenerator;

/**
 * Binds relay sockets on ports of {@code turn_relay_ports} (SPEC TURN-2), at a random place in
 * the range so relayed addresses are hard to guess, with EVEN-PORT's rules (RFC 8656 section
 * 14.6): an even port, and with R the odd one after it held back for a later allocation.
 */
final class RelayPorts {
    /** Ports tried before giving up; a range this full answers 508 either way. */
    private static final int ATTEMPTS = 128;

    private final int min;
    private final int max;
    private final RandomGenerator random;

    RelayPorts(int min, int max, RandomGenerator random) {
        this.min = min;
        this.max = max;
        this.random = random;
    }

    /** A bound relay socket and, with {@code reserveNext}, the socket holding the port after it. */
    record Bound(DatagramChannel channel, DatagramChannel next) {}

    /** Null when no port (pair) of the range could be bound. */
    Bound bind(InetAddress address, boolean even, boolean reserveNext) throws IOException {
        int span = max - min + 1;
        int start = min + random.nextInt(span);
        for (int i = 0; i < Math.min(ATTEMPTS, span); i++) {
            int port = min + (start - min + i) % span;
            if (even && (port & 1) != 0) {
                continue;
            }
            if (reserveNext && port + 1 > max) {
                continue;
            }
            DatagramChannel channel = tryBind(address, port);
            if (channel == null) {
                continue;
            }
            if (!reserveNext) {
                return new Bound(channel, null);
            }
            DatagramChannel next = tryBind(address, port + 1);
            if (next != null) {
                return new Bound(channel, next);
            }
            channel.close();
        }
        return null;
    }

    static DatagramChannel open(InetAddress address) throws IOException {
        DatagramChannel channel = DatagramChannel.open(
                address instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        channel.configureBlocking(false);
        return channel;
    }

    private static DatagramChannel tryBind(InetAddress address, int port) throws IOException {
        DatagramChannel channel = open(address);
        try {
            channel.bind(new InetSocketAddress(address, port));
            return channel;
        } catch (BindException inUse) {
            channel.close();
            return null;
        }
    }
}
