package chatmail.turn;

import static chatmail.turn.TurnTestClient.error;
import static chatmail.turn.TurnTestClient.reason;
import static chatmail.turn.TurnTestClient.request;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.MessageIntegrity;
import chatmail.turn.protocol.Stun;
import chatmail.turn.protocol.StunAttribute;
import chatmail.turn.protocol.StunMessage;
import chatmail.turn.protocol.StunWriter;
import chatmail.turn.protocol.Values;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our TURN server's exact answers, byte by byte where it matters: what it says before
 * authentication and how much (SPEC TURN-3), what it does not answer at all, the error of every
 * refused request, lifetimes and nonces. Credentials come from IMAP GETMETADATA.
 */
class TurnProtocolTest {
    @TempDir
    static Path dir;
    static TestRelay relay;
    static ImapTurnCredentials credentials;
    static InetSocketAddress server;
    private static int nextClient = 1;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.start(dir.resolve("data"), b -> b.turnAllowPrivatePeers = true);
        credentials = ImapTurnCredentials.fetch(relay, TestRelay.address("turnproto"));
        server = new InetSocketAddress("127.0.0.1", relay.port("turn"));
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    static TurnTestClient client() throws Exception {
        return TurnTestClient.open("127.0.40." + nextClient++, server)
                .credentials(credentials.username(), credentials.password());
    }

    static TurnServer turn() {
        return relay.relay().turn().server().orElseThrow();
    }

    @Test
    void bindingAnswersWithTheClientsAddressAndNothingElse() throws Exception {
        try (TurnTestClient c = client()) {
            byte[] binding = request(Stun.BINDING).toBytes();
            StunMessage answer = c.call(binding);
            assertThat(answer.type()).isEqualTo(Stun.type(Stun.BINDING, Stun.SUCCESS));
            assertThat(answer.attributes()).extracting(StunAttribute::type).containsExactly(Attribute.XOR_MAPPED_ADDRESS);
            assertThat(TurnTestClient.address(answer, Attribute.XOR_MAPPED_ADDRESS)).isEqualTo(c.local());
            // With FINGERPRINT asked for by example, FINGERPRINT back.
            assertThat(c.call(request(Stun.BINDING).fingerprint().toBytes()).fingerprinted()).isTrue();
        }
    }

    @Test
    void beforeAuthenticationAnAnswerIsAtMostThreeTimesItsRequestAndAt200Bytes() throws Exception {
        int allocations = turn().allocations();
        try (TurnTestClient c = client()) {
            // The smallest Allocate a client can send: 28 bytes, so at most 84 back.
            byte[] allocate = request(Stun.ALLOCATE).u32(Attribute.REQUESTED_TRANSPORT, 17L << 24).toBytes();
            assertThat(allocate).hasSize(28);
            c.send(allocate);
            byte[] raw = c.next();
            assertThat(raw.length).isLessThanOrEqualTo(3 * allocate.length).isLessThanOrEqualTo(200);
            StunMessage challenge = chatmail.turn.protocol.StunParser.parse(raw);
            assertThat(challenge.type()).isEqualTo(Stun.type(Stun.ALLOCATE, Stun.ERROR));
            assertThat(error(challenge)).isEqualTo(401);
            assertThat(reason(challenge)).isEqualTo("Unauthorized");
            assertThat(Values.text(challenge.first(Attribute.REALM), 100)).isEqualTo("chatmail");
            assertThat(Values.text(challenge.first(Attribute.NONCE), 100)).hasSize(16);
            assertThat(challenge.attributes()).extracting(StunAttribute::type)
                    .containsExactly(Attribute.ERROR_CODE, Attribute.REALM, Attribute.NONCE);
            // A bare 20-byte Allocate would need a 76-byte challenge, more than three times it: silence.
            c.assertNoAnswerTo(request(Stun.ALLOCATE).toBytes());
            assertThat(turn().allocations()).isEqualTo(allocations);
        }
    }

    @Test
    void malformedDatagramsAndUnknownMethodsGetNoAnswer() throws Exception {
        long relayed = turn().relayedPackets();
        try (TurnTestClient c = client()) {
            byte[] good = request(Stun.BINDING).fingerprint().toBytes();
            byte[] noCookie = good.clone();
            noCookie[5] = 0;
            byte[] badFingerprint = good.clone();
            badFingerprint[good.length - 1] ^= 1;
            byte[] wrongLength = good.clone();
            wrongLength[3] += 4;
            byte[] unknownMethod = new StunWriter(Stun.type(0x00A, Stun.REQUEST), TurnTestClient.transactionId()).toBytes();
            byte[] aResponse = new StunWriter(Stun.type(Stun.BINDING, Stun.SUCCESS), TurnTestClient.transactionId()).toBytes();
            byte[] channelDataWithoutAllocation = HexFormat.of().parseHex("400000040a0b0c0d");
            byte[] sendWithoutAllocation = new StunWriter(Stun.SEND_INDICATION, TurnTestClient.transactionId())
                    .xorAddress(Attribute.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 9))
                    .attribute(Attribute.DATA, new byte[] {1}).toBytes();
            for (byte[] bad : List.of(noCookie, badFingerprint, wrongLength, new byte[10], unknownMethod, aResponse,
                    channelDataWithoutAllocation, sendWithoutAllocation, "GET / HTTP/1.1\r\n\r\n".getBytes())) {
                c.assertNoAnswerTo(bad);
            }
            assertThat(turn().relayedPackets()).isEqualTo(relayed);
        }
    }

    @Test
    void unauthenticatedRequestsAreRateLimitedPerClientAddressButAuthenticatedOnesAreNot() throws Exception {
        try (TurnTestClient c = client(); TurnTestClient other = client()) {
            c.allocate(); // a nonce and an allocation; its 401 challenge took the first of 40 tokens
            for (int i = 0; i < 39; i++) {
                assertThat(c.call(request(Stun.BINDING).toBytes()).messageClass()).isEqualTo(Stun.SUCCESS);
            }
            // The burst is used up; the clock does not move: the 41st is dropped.
            byte[] dropped = request(Stun.BINDING).toBytes();
            c.send(dropped);
            // Another address has its own bucket.
            assertThat(other.call(request(Stun.BINDING).toBytes()).messageClass()).isEqualTo(Stun.SUCCESS);
            // An authenticated request is answered though the bucket is empty.
            StunMessage refresh = c.call(c.sign(request(Stun.REFRESH).u32(Attribute.LIFETIME, 600)));
            assertThat(refresh.messageClass()).isEqualTo(Stun.SUCCESS);
            // A second later 20 more tokens: the next Binding is answered, the dropped one never was.
            relay.clock().advance(Duration.ofSeconds(1));
            byte[] next = request(Stun.BINDING).toBytes();
            StunMessage answer = c.call(next);
            assertThat(answer.messageClass()).isEqualTo(Stun.SUCCESS);
            c.call(c.sign(request(Stun.REFRESH).u32(Attribute.LIFETIME, 0)));
        }
    }

    @Test
    void anAllocationAnswerCarriesRelayedAndMappedAddressLifetimeAndIntegrity() throws Exception {
        try (TurnTestClient c = client()) {
            StunMessage m = c.authenticated(Stun.ALLOCATE, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 17L << 24)
                    .u32(Attribute.LIFETIME, 100_000));
            assertThat(m.type()).isEqualTo(Stun.type(Stun.ALLOCATE, Stun.SUCCESS));
            assertThat(m.attributes()).extracting(StunAttribute::type).containsExactly(Attribute.XOR_RELAYED_ADDRESS,
                    Attribute.LIFETIME, Attribute.XOR_MAPPED_ADDRESS, Attribute.MESSAGE_INTEGRITY);
            assertThat(m.fingerprinted()).isTrue();
            assertThat(MessageIntegrity.verify(c.key(), c.lastAnswer(), 0, m)).as("signed with the client's key").isTrue();
            // TURN-3: at most an hour per request.
            assertThat(Values.u32(m.first(Attribute.LIFETIME))).isEqualTo(3600);
            InetSocketAddress relayed = TurnTestClient.address(m, Attribute.XOR_RELAYED_ADDRESS);
            assertThat(relayed.getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
            assertThat(relayed.getPort()).isBetween(49152, 65535);
            assertThat(TurnTestClient.address(m, Attribute.XOR_MAPPED_ADDRESS)).isEqualTo(c.local());
            assertThat(lifetime(c.refresh(30))).as("below the default: the default").isEqualTo(600);
            assertThat(lifetime(c.refresh(2000))).isEqualTo(2000);
            assertThat(lifetime(c.refresh(7200))).isEqualTo(3600);
            StunMessage deleted = c.refresh(0);
            assertThat(lifetime(deleted)).isZero();
            StunMessage gone = c.refresh(600);
            assertThat(error(gone)).isEqualTo(437);
            assertThat(reason(gone)).isEqualTo("Allocation Mismatch");
        }
    }

    private static long lifetime(StunMessage m) throws Exception {
        assertThat(m.messageClass()).as("%s", m).isEqualTo(Stun.SUCCESS);
        return Values.u32(m.first(Attribute.LIFETIME));
    }

    @Test
    void anAllocationEndsWithItsLifetimeAndANonceAfterTenMinutes() throws Exception {
        try (TurnTestClient c = client()) {
            c.allocate();
            String nonce = c.nonce();
            relay.clock().advance(Duration.ofMinutes(10));
            StunMessage stale = c.call(c.sign(request(Stun.REFRESH).u32(Attribute.LIFETIME, 600)));
            assertThat(error(stale)).isEqualTo(438);
            assertThat(reason(stale)).isEqualTo("Stale Nonce");
            assertThat(Values.text(stale.first(Attribute.NONCE), 100)).isNotEqualTo(nonce);
            c.takeChallenge(stale);
            // Ten minutes is also the default lifetime: the allocation is over.
            assertThat(error(c.call(c.sign(request(Stun.REFRESH).u32(Attribute.LIFETIME, 600))))).isEqualTo(437);
            assertThat(c.allocate()).isNotNull();
            c.refresh(0);
        }
    }

    @Test
    void everyRefusedRequestGetsItsError() throws Exception {
        int allocations = turn().allocations();
        try (TurnTestClient c = client()) {
            byte[] tid = TurnTestClient.transactionId();
            c.allocate();
            // A second Allocate on this 5-tuple is a mismatch, a retransmission of the first is not.
            assertThat(error(c.authenticated(Stun.ALLOCATE, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 17L << 24))))
                    .isEqualTo(437);
            c.refresh(0);
            byte[] first = c.sign(new StunWriter(Stun.type(Stun.ALLOCATE, Stun.REQUEST), tid)
                    .u32(Attribute.REQUESTED_TRANSPORT, 17L << 24));
            c.send(first);
            byte[] answer = c.next();
            c.send(first);
            assertThat(c.next()).as("the same answer to a retransmission").isEqualTo(answer);
            c.refresh(0);
            assertThat(refusal(c, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 6L << 24)))
                    .isEqualTo("442 Unsupported Transport Protocol");
            assertThat(refusal(c, w -> w.u32(Attribute.LIFETIME, 600))).isEqualTo("400 Bad Request");
            assertThat(refusal(c, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 17L << 24)
                    .attribute(Attribute.EVEN_PORT, new byte[] {0})
                    .attribute(Attribute.RESERVATION_TOKEN, new byte[8]))).isEqualTo("400 Bad Request");
            assertThat(refusal(c, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 17L << 24)
                    .attribute(Attribute.RESERVATION_TOKEN, new byte[] {1, 2, 3, 4, 5, 6, 7, 8})))
                    .isEqualTo("508 Insufficient Capacity");
            assertThat(refusal(c, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 17L << 24)
                    .u32(Attribute.REQUESTED_ADDRESS_FAMILY, 3L << 24))).isEqualTo("440 Address Family not Supported");
            // IPv6 relayed addresses need an IPv6 listen address; this relay has only 127.0.0.1.
            assertThat(refusal(c, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 17L << 24)
                    .u32(Attribute.REQUESTED_ADDRESS_FAMILY, 2L << 24))).isEqualTo("440 Address Family not Supported");
            StunMessage unknown = c.authenticated(Stun.ALLOCATE, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 17L << 24)
                    .u32(0x0010, 1000));
            assertThat(error(unknown)).isEqualTo(420);
            assertThat(unknown.first(Attribute.UNKNOWN_ATTRIBUTES).value()).isEqualTo(new byte[] {0x00, 0x10});
            assertThat(MessageIntegrity.verify(c.key(), c.lastAnswer(), 0, unknown)).as("signed").isTrue();
            // MESSAGE-INTEGRITY without USERNAME, REALM and NONCE: 400, no challenge.
            StunMessage noUser = c.call(request(Stun.ALLOCATE).u32(Attribute.REQUESTED_TRANSPORT, 17L << 24)
                    .messageIntegrity(c.key()).fingerprint().toBytes());
            assertThat(error(noUser)).isEqualTo(400);
            assertThat(noUser.has(Attribute.NONCE)).isFalse();
            // A realm that is not ours and a password that is not the secret's: 401 with a fresh challenge.
            StunMessage wrongRealm = c.call(request(Stun.ALLOCATE).u32(Attribute.REQUESTED_TRANSPORT, 17L << 24)
                    .text(Attribute.USERNAME, credentials.username()).text(Attribute.REALM, "elsewhere")
                    .text(Attribute.NONCE, c.nonce())
                    .messageIntegrity(MessageIntegrity.longTermKey(credentials.username(), "elsewhere", credentials.password()))
                    .toBytes());
            assertThat(error(wrongRealm)).isEqualTo(401);
            assertThat(Values.text(wrongRealm.first(Attribute.REALM), 100)).isEqualTo("chatmail");
            try (TurnTestClient wrong = client().credentials(credentials.username(), "not-the-password")) {
                StunMessage refused = wrong.authenticated(Stun.ALLOCATE, w -> w.u32(Attribute.REQUESTED_TRANSPORT, 17L << 24));
                assertThat(error(refused)).isEqualTo(401);
                assertThat(refused.has(Attribute.NONCE)).isTrue();
            }
            assertThat(turn().allocations()).isEqualTo(allocations);
        }
    }

    private static String refusal(TurnTestClient c, java.util.function.UnaryOperator<StunWriter> body) throws Exception {
        StunMessage m = c.authenticated(Stun.ALLOCATE, body);
        assertThat(m.messageClass()).as("%s", m).isEqualTo(Stun.ERROR);
        assertThat(m.has(Attribute.MESSAGE_INTEGRITY)).as("an authenticated refusal is signed").isTrue();
        return error(m) + " " + reason(m);
    }

    @Test
    void requestsOnAnAllocationCheckUserPeerFamilyAndChannelNumbers() throws Exception {
        try (TurnTestClient c = client()) {
            c.allocate();
            InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 40000);
            InetSocketAddress otherPeer = new InetSocketAddress("127.0.0.1", 40001);
            assertThat(error(c.createPermission(new InetSocketAddress(InetAddress.getByName("::1"), 40000)))).isEqualTo(443);
            assertThat(error(c.channelBind(0x3FFF, peer))).isEqualTo(400);
            assertThat(c.channelBind(0x4000, peer).messageClass()).isEqualTo(Stun.SUCCESS);
            assertThat(c.channelBind(0x4000, peer).messageClass()).as("a refresh").isEqualTo(Stun.SUCCESS);
            assertThat(error(c.channelBind(0x4000, otherPeer))).as("the number is taken").isEqualTo(400);
            assertThat(error(c.channelBind(0x4001, peer))).as("the peer has a number").isEqualTo(400);
            assertThat(error(c.authenticated(Stun.CREATE_PERMISSION, w -> w))).as("no peer").isEqualTo(400);
            // Another user (fresh credentials from METADATA a second later) on this 5-tuple: 441.
            relay.clock().advance(Duration.ofSeconds(1));
            ImapTurnCredentials other = ImapTurnCredentials.fetch(relay, TestRelay.address("turnproto"));
            assertThat(other.username()).isNotEqualTo(credentials.username());
            c.credentials(other.username(), other.password());
            StunMessage wrongUser = c.refresh(600);
            assertThat(error(wrongUser)).isEqualTo(441);
            assertThat(reason(wrongUser)).isEqualTo("Wrong Credentials");
            c.credentials(credentials.username(), credentials.password());
            assertThat(lifetime(c.refresh(0))).isZero();
        }
    }
}
