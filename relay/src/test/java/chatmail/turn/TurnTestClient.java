package chatmail.turn;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.ErrorCode;
import chatmail.turn.protocol.MessageIntegrity;
import chatmail.turn.protocol.Stun;
import chatmail.turn.protocol.StunFormatException;
import chatmail.turn.protocol.StunMessage;
import chatmail.turn.protocol.StunParser;
import chatmail.turn.protocol.StunWriter;
import chatmail.turn.protocol.Values;
import chatmail.turn.protocol.XorAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A TURN client for the tests that need to send exact bytes (the limits, the pre-authentication
 * rule, malformed input): one UDP socket on a chosen loopback address, blocking reads that time
 * out after ten seconds so a missing answer fails instead of hanging. Messages are built with
 * the codec, which its own tests check against RFC 5769.
 */
final class TurnTestClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int TIMEOUT_MILLIS = 10_000;

    private final DatagramChannel channel;
    private final InetSocketAddress server;
    private String username;
    private String password;
    private String realm;
    private String nonce;
    private byte[] lastAnswer;

    private TurnTestClient(DatagramChannel channel, InetSocketAddress server) {
        this.channel = channel;
        this.server = server;
    }

    static TurnTestClient open(String localAddress, InetSocketAddress server) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        channel.socket().setSoTimeout(TIMEOUT_MILLIS);
        return new TurnTestClient(channel, server);
    }

    InetSocketAddress local() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    TurnTestClient credentials(String username, String password) {
        this.username = username;
        this.password = password;
        return this;
    }

    void send(byte[] datagram) throws IOException {
        channel.send(ByteBuffer.wrap(datagram), server);
    }

    /** The next datagram from the server. */
    byte[] next() throws IOException {
        byte[] buffer = new byte[65536];
        java.net.DatagramPacket packet = new java.net.DatagramPacket(buffer, buffer.length);
        try {
            channel.socket().receive(packet);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no datagram from the TURN server within " + TIMEOUT_MILLIS + " ms");
        }
        return Arrays.copyOf(buffer, packet.getLength());
    }

    static byte[] transactionId() {
        byte[] tid = new byte[Stun.TRANSACTION_ID_LENGTH];
        RANDOM.nextBytes(tid);
        return tid;
    }

    static StunWriter request(int method) {
        return new StunWriter(Stun.type(method, Stun.REQUEST), transactionId());
    }

    /** Sends the datagram and parses the next one, which must answer it. */
    StunMessage call(byte[] request) throws IOException {
        send(request);
        byte[] answer = next();
        lastAnswer = answer;
        try {
            StunMessage m = StunParser.parse(answer);
            assertThat(Arrays.copyOfRange(answer, 8, 20)).as("transaction of the answer")
                    .isEqualTo(Arrays.copyOfRange(request, 8, 20));
            return m;
        } catch (StunFormatException e) {
            throw new AssertionError("the answer is not STUN: " + e.getMessage());
        }
    }

    /**
     * Sends {@code datagram} and proves the server did not answer it: the answer that comes next
     * is the one to a Binding request sent right after, and the server handles a client's
     * datagrams in order.
     */
    void assertNoAnswerTo(byte[] datagram) throws IOException {
        send(datagram);
        byte[] probe = request(Stun.BINDING).toBytes();
        StunMessage answer = call(probe);
        assertThat(answer.method()).isEqualTo(Stun.BINDING);
    }

    /** USERNAME, REALM, NONCE, MESSAGE-INTEGRITY and FINGERPRINT with the current nonce. */
    byte[] sign(StunWriter w) {
        return w.text(Attribute.USERNAME, username).text(Attribute.REALM, realm).text(Attribute.NONCE, nonce)
                .messageIntegrity(key()).fingerprint().toBytes();
    }

    byte[] key() {
        return MessageIntegrity.longTermKey(username, realm, password);
    }

    /**
     * An authenticated request as a real client makes it: first without credentials when no
     * nonce is known yet, then again after 401 or 438 with the REALM and NONCE given.
     */
    StunMessage authenticated(int method, java.util.function.UnaryOperator<StunWriter> body) throws IOException {
        if (nonce == null) {
            StunMessage challenge = call(body.apply(request(method)).fingerprint().toBytes());
            takeChallenge(challenge);
        }
        StunMessage answer = call(sign(body.apply(request(method))));
        if (answer.messageClass() == Stun.ERROR && (error(answer) == 438 || (error(answer) == 401 && answer.has(Attribute.NONCE)))) {
            takeChallenge(answer);
            answer = call(sign(body.apply(request(method))));
        }
        return answer;
    }

    void takeChallenge(StunMessage challenge) {
        try {
            realm = Values.text(challenge.first(Attribute.REALM), 763);
            nonce = Values.text(challenge.first(Attribute.NONCE), 763);
        } catch (StunFormatException | NullPointerException e) {
            throw new AssertionError("not a challenge: " + challenge);
        }
    }

    /** The bytes of the last answer {@link #call} returned, for checking its MESSAGE-INTEGRITY. */
    byte[] lastAnswer() {
        return lastAnswer.clone();
    }

    /** Takes realm and nonce of another client on the same address (nonces are per address). */
    TurnTestClient sharingNonceOf(TurnTestClient other) {
        realm = other.realm;
        nonce = other.nonce;
        return this;
    }

    private static final java.util.concurrent.atomic.AtomicInteger PROBES = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Returns once the server has handled every datagram sent to its listener so far: it reads
     * the socket in order, so the answer to a Binding request sent now comes after all of them.
     * Each probe comes from an address of its own, whose request budget is untouched.
     */
    static void settle(InetSocketAddress server) throws IOException {
        int n = PROBES.incrementAndGet();
        try (TurnTestClient probe = open("127.0." + (200 + n / 250) + "." + (1 + n % 250), server)) {
            probe.call(request(Stun.BINDING).toBytes());
        }
    }

    String nonce() {
        return nonce;
    }

    static int error(StunMessage m) {
        try {
            return m.messageClass() == Stun.ERROR ? ErrorCode.decode(m.first(Attribute.ERROR_CODE)).code() : 0;
        } catch (StunFormatException e) {
            throw new AssertionError(e);
        }
    }

    static String reason(StunMessage m) throws StunFormatException {
        return ErrorCode.decode(m.first(Attribute.ERROR_CODE)).reason();
    }

    static InetSocketAddress address(StunMessage m, int type) {
        try {
            return XorAddress.decode(m.first(type), m.transactionId());
        } catch (StunFormatException e) {
            throw new AssertionError(e);
        }
    }

    /** Allocates a UDP relay and returns the relayed address. */
    InetSocketAddress allocate() throws IOException {
        StunMessage m = authenticated(Stun.ALLOCATE, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 17L << 24));
        assertThat(m.messageClass()).as("Allocate answered %s", m).isEqualTo(Stun.SUCCESS);
        return address(m, Attribute.XOR_RELAYED_ADDRESS);
    }

    StunMessage createPermission(InetSocketAddress peer) throws IOException {
        return authenticated(Stun.CREATE_PERMISSION, w -> w.xorAddress(Attribute.XOR_PEER_ADDRESS, peer));
    }

    StunMessage channelBind(int channel, InetSocketAddress peer) throws IOException {
        return authenticated(Stun.CHANNEL_BIND, w -> w.u32(Attribute.CHANNEL_NUMBER, (long) channel << 16)
                .xorAddress(Attribute.XOR_PEER_ADDRESS, peer));
    }

    StunMessage refresh(long lifetime) throws IOException {
        return authenticated(Stun.REFRESH, w -> w.u32(Attribute.LIFETIME, lifetime));
    }

    void sendChannelData(int channel, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + data.length);
        b.putShort((short) channel).putShort((short) data.length).put(data);
        send(b.array());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
