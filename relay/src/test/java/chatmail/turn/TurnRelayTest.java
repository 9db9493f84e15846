package chatmail.turn;

import static chatmail.turn.TurnTestClient.error;
import static chatmail.turn.TurnTestClient.reason;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.metrics.TurnDrop;
import chatmail.testing.TestRelay;
import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.Stun;
import chatmail.turn.protocol.StunMessage;
import chatmail.turn.protocol.StunParser;
import chatmail.turn.protocol.StunWriter;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay path with exact bytes: Send and Data indications, ChannelData, permissions and their
 * expiry, the bandwidth of an allocation and the number of allocations (SPEC TURN-3). Peers are
 * sockets of the test on loopback ({@code turn_allow_private_peers}). The relay's clock stands
 * still unless a test moves it, so budgets and lifetimes give exact counts.
 */
class TurnRelayTest {
    @TempDir
    static Path dir;
    static TestRelay relay;
    static ImapTurnCredentials credentials;
    static InetSocketAddress server;
    private static int nextClient = 1;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.start(dir.resolve("data"), b -> b.turnAllowPrivatePeers = true);
        credentials = ImapTurnCredentials.fetch(relay, TestRelay.address("turnrelay"));
        server = new InetSocketAddress("127.0.0.1", relay.port("turn"));
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    static TurnTestClient client() throws IOException {
        return TurnTestClient.open("127.0.60." + nextClient++, server)
                .credentials(credentials.username(), credentials.password());
    }

    static TurnServer turn() {
        return relay.relay().turn().server().orElseThrow();
    }

    /** A peer on its own address: permissions are per IP address, whatever the port. */
    static DatagramSocket peer(String address) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(address, 0));
        s.setSoTimeout(TurnTestClient.TIMEOUT_MILLIS);
        s.setReceiveBufferSize(4 << 20);
        return s;
    }

    static byte[] receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the peer received nothing within " + TurnTestClient.TIMEOUT_MILLIS + " ms");
        }
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    static void send(DatagramSocket from, InetSocketAddress to, byte[] data) throws IOException {
        from.send(new DatagramPacket(data, data.length, to));
    }

    static InetSocketAddress address(DatagramSocket s) {
        return (InetSocketAddress) s.getLocalSocketAddress();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void indicationsAndChannelsCarryDataBothWaysOnlyForPermittedPeers() throws Exception {
        try (TurnTestClient c = client(); DatagramSocket p = peer("127.0.61.1"); DatagramSocket q = peer("127.0.61.2")) {
            InetSocketAddress relayed = c.allocate();
            long droppedBefore = turn().droppedPackets(TurnDrop.NO_PERMISSION);
            double bytesBefore = relayedBytes();
            // Without a permission nothing passes, in either direction.
            c.send(new StunWriter(Stun.SEND_INDICATION, TurnTestClient.transactionId())
                    .xorAddress(Attribute.XOR_PEER_ADDRESS, address(p)).attribute(Attribute.DATA, bytes("too early")).toBytes());
            send(q, relayed, bytes("not permitted"));
            assertThat(c.createPermission(address(p)).messageClass()).isEqualTo(Stun.SUCCESS);
            c.send(new StunWriter(Stun.SEND_INDICATION, TurnTestClient.transactionId())
                    .xorAddress(Attribute.XOR_PEER_ADDRESS, address(p)).attribute(Attribute.DATA, bytes("to the peer"))
                    .fingerprint().toBytes());
            byte[] atPeer = receive(p);
            assertThat(new String(atPeer, StandardCharsets.US_ASCII)).isEqualTo("to the peer");
            send(p, relayed, bytes("from the peer"));
            StunMessage data = StunParser.parse(c.next());
            assertThat(data.type()).isEqualTo(Stun.DATA_INDICATION);
            assertThat(TurnTestClient.address(data, Attribute.XOR_PEER_ADDRESS)).isEqualTo(address(p));
            assertThat(data.first(Attribute.DATA).value()).isEqualTo(bytes("from the peer"));
            // q's packet came first and was dropped (the client's first datagram was p's), so was the early one.
            send(q, relayed, bytes("still not permitted"));
            send(p, relayed, bytes("after q"));
            assertThat(StunParser.parse(c.next()).first(Attribute.DATA).value()).isEqualTo(bytes("after q"));
            TurnTestClient.settle(server);
            assertThat(turn().droppedPackets(TurnDrop.NO_PERMISSION) - droppedBefore).isEqualTo(3);

            assertThat(c.channelBind(0x4001, address(p)).messageClass()).isEqualTo(Stun.SUCCESS);
            send(p, relayed, bytes("on the channel"));
            byte[] channelData = c.next();
            assertThat(channelData).isEqualTo(ByteBuffer.allocate(4 + 14).putShort((short) 0x4001)
                    .putShort((short) 14).put(bytes("on the channel")).array());
            c.sendChannelData(0x4001, bytes("back on the channel"));
            assertThat(new String(receive(p), StandardCharsets.US_ASCII)).isEqualTo("back on the channel");
            // The metrics count the payloads: 11 + 13 + 7 + 14 + 19 bytes. The relay counts a packet
            // after its send returned, so the peer may have the last one before it is counted: wait
            // for the count to get there (a counter, no event), then it must be exactly that.
            awaitValue(() -> (long) (relayedBytes() - bytesBefore), 64);
            c.refresh(0);
        }
    }

    private static double relayedBytes() {
        return TurnPeerRefusalsTest.counter(relay.relay().metrics().registry(), "chatmail_turn_relayed_bytes",
                io.prometheus.metrics.model.snapshots.Labels.EMPTY);
    }

    @Test
    void aPermissionLastsFiveMinutesAndARefreshRenewsIt() throws Exception {
        try (TurnTestClient c = client(); DatagramSocket p = peer("127.0.62.1"); DatagramSocket r = peer("127.0.62.2")) {
            InetSocketAddress relayed = c.allocate();
            c.createPermission(address(p));
            relay.clock().advance(Duration.ofSeconds(299));
            send(p, relayed, bytes("still permitted"));
            assertThat(StunParser.parse(c.next()).first(Attribute.DATA).value()).isEqualTo(bytes("still permitted"));
            c.refresh(600);
            relay.clock().advance(Duration.ofSeconds(2));
            long dropped = turn().droppedPackets(TurnDrop.NO_PERMISSION);
            assertThat(c.createPermission(address(r)).messageClass()).isEqualTo(Stun.SUCCESS);
            send(p, relayed, bytes("expired"));
            send(r, relayed, bytes("marker"));
            // The relay socket is read in order: the marker is the client's next datagram, p's was dropped.
            assertThat(StunParser.parse(c.next()).first(Attribute.DATA).value()).isEqualTo(bytes("marker"));
            assertThat(turn().droppedPackets(TurnDrop.NO_PERMISSION) - dropped).isEqualTo(1);
            assertThat(c.createPermission(address(p)).messageClass()).isEqualTo(Stun.SUCCESS);
            send(p, relayed, bytes("permitted again"));
            assertThat(StunParser.parse(c.next()).first(Attribute.DATA).value()).isEqualTo(bytes("permitted again"));
            c.refresh(0);
        }
    }

    @Test
    void anAllocationRelaysFiveMegabitsPerSecondEachWayWithABurstOfAQuarterSecond() throws Exception {
        int size = 1000;
        int burstPackets = (int) (TurnLimits.standard().burstBytes() / size); // 156 with 156,250 bytes
        try (TurnTestClient c = client(); DatagramSocket p = peer("127.0.63.1")) {
            InetSocketAddress relayed = c.allocate();
            c.channelBind(0x4002, address(p));
            long relayedBefore = turn().relayedPackets();
            long droppedBefore = turn().droppedPackets(TurnDrop.RATE_LIMIT);
            // Client to peer: 300 packets while the clock stands still, in batches the server's
            // socket holds; the burst passes, the rest is dropped.
            for (int batch = 0; batch < 12; batch++) {
                for (int i = 0; i < 25; i++) {
                    c.sendChannelData(0x4002, numbered(batch * 25 + i, size));
                }
                TurnTestClient.settle(server);
            }
            assertThat(turn().relayedPackets() - relayedBefore).isEqualTo(burstPackets);
            assertThat(turn().droppedPackets(TurnDrop.RATE_LIMIT) - droppedBefore).isEqualTo(300 - burstPackets);
            for (int i = 0; i < burstPackets; i++) {
                assertThat(number(receive(p))).isEqualTo(i);
            }
            // A second later the budget is full again; the next packet the peer sees is this one.
            relay.clock().advance(Duration.ofSeconds(1));
            c.sendChannelData(0x4002, numbered(1000, size));
            assertThat(number(receive(p))).isEqualTo(1000);

            // Peer to client, the other direction's own budget.
            long droppedReverse = turn().droppedPackets(TurnDrop.RATE_LIMIT);
            int sent = 0;
            for (; sent < 140; sent++) {
                send(p, relayed, numbered(sent, size));
                if (sent % 20 == 19) {
                    for (int i = sent - 19; i <= sent; i++) {
                        assertThat(number(channelPayload(c.next()))).isEqualTo(i);
                    }
                }
            }
            for (; sent < 200; sent++) {
                send(p, relayed, numbered(sent, size));
            }
            for (int i = 140; i < burstPackets; i++) {
                assertThat(number(channelPayload(c.next()))).isEqualTo(i);
            }
            // The rest waits in the relay socket; the clock may move only once the server dropped it.
            awaitValue(() -> turn().droppedPackets(TurnDrop.RATE_LIMIT) - droppedReverse, 200 - burstPackets);
            relay.clock().advance(Duration.ofSeconds(1));
            send(p, relayed, numbered(2000, size));
            assertThat(number(channelPayload(c.next()))).as("the packets over the budget were dropped").isEqualTo(2000);
            assertThat(turn().droppedPackets(TurnDrop.RATE_LIMIT) - droppedReverse).isEqualTo(200 - burstPackets);
            c.refresh(0);
        }
    }

    /**
     * Waits until a count of the server reaches its value, then asserts it is exactly that: a
     * dropped packet, or one the relay counts after its send returned, has no event to await.
     */
    private static void awaitValue(java.util.function.LongSupplier count, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (count.getAsLong() < expected && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(count.getAsLong()).isEqualTo(expected);
    }

    private static byte[] numbered(int n, int size) {
        return ByteBuffer.allocate(size).putInt(n).array();
    }

    private static int number(byte[] payload) {
        return ByteBuffer.wrap(payload).getInt();
    }

    private static byte[] channelPayload(byte[] channelData) {
        assertThat(channelData[0] & 0xC0).as("ChannelData").isEqualTo(0x40);
        return Arrays.copyOfRange(channelData, 4, channelData.length);
    }

    @Test
    void theRelayHoldsAThousandAllocationsAndRefusesTheNextWith508() throws Exception {
        int before = turn().allocations();
        List<TurnTestClient> clients = new ArrayList<>();
        try {
            // Ten per address (the per-client quota), from 100 addresses.
            for (int address = 0; clients.size() < 1000 - before; address++) {
                TurnTestClient first = null;
                for (int i = 0; i < 10 && clients.size() < 1000 - before; i++) {
                    TurnTestClient c = TurnTestClient.open("127.0.70." + (address + 1), server)
                            .credentials(credentials.username(), credentials.password());
                    if (first == null) {
                        first = c;
                    } else {
                        c.sharingNonceOf(first);
                    }
                    clients.add(c);
                    c.allocate();
                }
            }
            assertThat(turn().allocations()).isEqualTo(1000);
            try (TurnTestClient extra = client()) {
                StunMessage refused = extra.authenticated(Stun.ALLOCATE, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 17L << 24));
                assertThat(error(refused)).isEqualTo(508);
                assertThat(reason(refused)).isEqualTo("Insufficient Capacity");
                clients.getLast().refresh(0);
                assertThat(extra.allocate()).isNotNull();
                extra.refresh(0);
            }
        } finally {
            for (TurnTestClient c : clients) {
                c.call(c.sign(TurnTestClient.request(Stun.REFRESH).u32(Attribute.LIFETIME, 0)));
                c.close();
            }
        }
        assertThat(turn().allocations()).isEqualTo(before);
    }
}
