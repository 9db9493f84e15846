package chatmail.bench.turn;

import chatmail.turn.RestCredentials;
import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.ErrorCode;
import chatmail.turn.protocol.MessageIntegrity;
import chatmail.turn.protocol.Stun;
import chatmail.turn.protocol.StunFormatException;
import chatmail.turn.protocol.StunMessage;
import chatmail.turn.protocol.StunParser;
import chatmail.turn.protocol.StunWriter;
import chatmail.turn.protocol.Values;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Makes TURN allocations the way a WebRTC client does (Allocate, 401 challenge, Allocate with
 * REST credentials) and holds them, for the memory and time-to-allocate figures of
 * {@code chatmail bench turn}. Ten per source address (our per-client quota), from
 * 127.0.4.1 on; each allocation has a socket of its own, so its own challenge.
 */
final class AllocationHolder implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final InetSocketAddress server;
    private final String username;
    private final String password;
    private final List<Held> held = new ArrayList<>();
    private final List<Long> nanos = new ArrayList<>();

    private record Held(DatagramChannel channel, String realm, String nonce) {}

    AllocationHolder(InetSocketAddress server, String secret) {
        this.server = server;
        this.username = RestCredentials.username(Instant.now().plusSeconds(86400));
        this.password = RestCredentials.password(secret, username);
    }

    /** Allocates {@code n} more and keeps them; returns the nanoseconds of each whole exchange. */
    List<Long> allocate(int n) throws IOException {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = held.size();
            DatagramChannel channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress(InetAddress.getByName("127.0.4." + (1 + index / 10)), 0));
            channel.socket().setSoTimeout(5000);
            long t0 = System.nanoTime();
            StunMessage challenge = call(channel, allocate().fingerprint().toBytes());
            String realm;
            String nonce;
            try {
                realm = Values.text(challenge.first(Attribute.REALM), 763);
                nonce = Values.text(challenge.first(Attribute.NONCE), 763);
            } catch (StunFormatException | NullPointerException e) {
                throw new IOException("no challenge: " + challenge);
            }
            StunMessage answer = call(channel, sign(allocate(), realm, nonce));
            long t = System.nanoTime() - t0;
            if (answer.messageClass() != Stun.SUCCESS) {
                throw new IOException("allocation " + (index + 1) + " refused: " + error(answer));
            }
            held.add(new Held(channel, realm, nonce));
            times.add(t);
        }
        nanos.addAll(times);
        return times;
    }

    /**
     * Tries one allocation until the server grants it, then deletes it: coturn answers Binding
     * before its authentication threads are up, and refuses the first allocations meanwhile.
     */
    static void awaitAllocating(InetSocketAddress server, String secret, java.time.Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (AllocationHolder probe = new AllocationHolder(server, secret)) {
                probe.allocate(1);
                return;
            } catch (IOException refused) {
                if (System.nanoTime() > deadline) {
                    throw refused;
                }
                Thread.sleep(100);
            }
        }
    }

    int count() {
        return held.size();
    }

    private static StunWriter allocate() {
        byte[] tid = new byte[12];
        RANDOM.nextBytes(tid);
        return new StunWriter(Stun.type(Stun.ALLOCATE, Stun.REQUEST), tid).u32(Attribute.REQUESTED_TRANSPORT, 17L << 24);
    }

    private byte[] sign(StunWriter w, String realm, String nonce) {
        return w.text(Attribute.USERNAME, username).text(Attribute.REALM, realm).text(Attribute.NONCE, nonce)
                .messageIntegrity(MessageIntegrity.longTermKey(username, realm, password)).fingerprint().toBytes();
    }

    private StunMessage call(DatagramChannel channel, byte[] request) throws IOException {
        channel.send(ByteBuffer.wrap(request), server);
        byte[] buffer = new byte[2048];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                channel.socket().receive(packet);
            } catch (SocketTimeoutException e) {
                throw new IOException("no answer from the TURN server at " + server);
            }
            try {
                StunMessage m = StunParser.parse(Arrays.copyOf(buffer, packet.getLength()));
                if (Arrays.equals(m.transactionId(), Arrays.copyOfRange(request, 8, 20))) {
                    return m;
                }
            } catch (StunFormatException e) {
                throw new IOException("not STUN: " + e.getMessage());
            }
        }
    }

    private static String error(StunMessage m) {
        try {
            ErrorCode e = ErrorCode.decode(m.first(Attribute.ERROR_CODE));
            return e.code() + " " + e.reason();
        } catch (StunFormatException | NullPointerException e) {
            return m.toString();
        }
    }

    /** Deletes every allocation (Refresh with LIFETIME 0) and closes the sockets. */
    @Override
    public void close() throws IOException {
        for (Held h : held) {
            byte[] tid = new byte[12];
            RANDOM.nextBytes(tid);
            byte[] refresh = sign(new StunWriter(Stun.type(Stun.REFRESH, Stun.REQUEST), tid).u32(Attribute.LIFETIME, 0),
                    h.realm(), h.nonce());
            try {
                call(h.channel(), refresh);
            } finally {
                h.channel().close();
            }
        }
        held.clear();
    }
}
