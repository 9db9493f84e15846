package chatmail.bench.turn;

import chatmail.turn.protocol.Stun;
import chatmail.turn.protocol.StunWriter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a TURN server to answer a STUN Binding request: it is up. */
final class StunProbe {
    private StunProbe() {}

    static boolean awaitAnswering(InetSocketAddress server, Duration timeout, BooleanSupplier alive) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress(server.getAddress(), 0));
            channel.socket().setSoTimeout(100);
            byte[] tid = new byte[12];
            while (System.nanoTime() < deadline && alive.getAsBoolean()) {
                new SecureRandom().nextBytes(tid);
                channel.send(ByteBuffer.wrap(new StunWriter(Stun.type(Stun.BINDING, Stun.REQUEST), tid).toBytes()), server);
                try {
                    channel.socket().receive(new java.net.DatagramPacket(new byte[512], 512));
                    return true;
                } catch (SocketTimeoutException notYet) {
                    // not listening yet: ask again
                }
            }
        }
        return false;
    }
}
