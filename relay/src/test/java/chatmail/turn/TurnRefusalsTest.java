package chatmail.turn;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What our TURN server refuses, seen by coturn's {@code turnutils_uclient}, on a relay configured
 * as a public one (no {@code turn_allow_private_peers}): peers in the operator's network, wrong
 * and expired credentials, more allocations than one client may have (SPEC TURN-3). Each refusal
 * leaves no allocation behind.
 */
class TurnRefusalsTest {
    @TempDir
    static Path dir;
    static TestRelay relay;
    static EchoPeer peer;
    ImapTurnCredentials credentials;

    @BeforeAll
    static void start() throws Exception {
        Uclient.requireInstalled();
        relay = TestRelay.start(dir.resolve("data"));
        peer = EchoPeer.start("127.0.0.1");
    }

    @AfterAll
    static void stop() {
        if (peer != null) {
            peer.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    /** Fresh each time: one test moves the clock past their lifetime. */
    @BeforeEach
    void credentials() throws Exception {
        credentials = ImapTurnCredentials.fetch(relay, TestRelay.address("turnrefus"));
    }

    TurnServer server() {
        return relay.relay().turn().server().orElseThrow();
    }

    double refused(String reason) {
        for (MetricSnapshot snapshot : relay.relay().metrics().registry().scrape()) {
            if (snapshot.getMetadata().getName().equals("chatmail_turn_peers_refused")) {
                for (CounterSnapshot.CounterDataPointSnapshot p : ((CounterSnapshot) snapshot).getDataPoints()) {
                    if (p.getLabels().equals(Labels.of("reason", reason))) {
                        return p.getValue();
                    }
                }
            }
        }
        throw new AssertionError("no chatmail_turn_peers_refused{reason=" + reason + "}");
    }

    @Test
    void aLoopbackPeerIsRefusedWith403ForChannelsAndPermissions() throws Exception {
        double loopback = refused("loopback");
        double privateNetwork = refused("private");
        long relayed = server().relayedPackets();
        Uclient.Result channels = Uclient.run(dir, TurnCallsTest.args(credentials, "-n", "5", "-e", "127.0.0.1",
                "-r", Integer.toString(peer.port)));
        assertThat(channels.output()).contains("channel bind: error 403 (Forbidden)");
        assertThat(channels.exitCode()).isNotZero();
        assertThat(channels.finished()).isFalse();
        Uclient.Result permissions = Uclient.run(dir, TurnCallsTest.args(credentials, "-c", "-s", "-n", "5",
                "-e", "127.0.0.1", "-r", Integer.toString(peer.port)));
        assertThat(permissions.output()).contains("create permission error 403 (Forbidden)");
        assertThat(permissions.exitCode()).isNotZero();
        assertThat(refused("loopback") - loopback).isEqualTo(2);
        assertThat(refused("private")).isEqualTo(privateNetwork);
        assertThat(server().relayedPackets()).as("nothing reached the peer").isEqualTo(relayed);
    }

    @Test
    void twoClientsOfThisRelayMayCallEachOtherThroughTheirRelayedAddresses() throws Exception {
        // Relayed addresses here are on loopback, refused as peers but for this exception of TURN-3.
        double loopback = refused("loopback");
        Uclient.Result run = Uclient.run(dir, TurnCallsTest.args(credentials, "-y", "-c", "-n", "20"));
        assertThat(run.finished()).as(run.output()).isTrue();
        assertThat(run.sent()).isEqualTo(40);
        assertThat(run.received()).isEqualTo(40);
        assertThat(run.lost()).isZero();
        assertThat(refused("loopback")).isEqualTo(loopback);
    }

    @Test
    void aRelayedAddressOfALiveAllocationIsAPeerOnlyWhileItLives() throws Exception {
        java.net.InetSocketAddress server = new java.net.InetSocketAddress("127.0.0.1", relay.port("turn"));
        try (TurnTestClient a = TurnTestClient.open("127.0.30.1", server).credentials(credentials.username(), credentials.password());
             TurnTestClient b = TurnTestClient.open("127.0.30.2", server).credentials(credentials.username(), credentials.password())) {
            java.net.InetSocketAddress relayedA = a.allocate();
            java.net.InetSocketAddress relayedB = b.allocate();
            // The relayed address's IP with another port is just loopback: refused.
            double loopback = refused("loopback");
            var refused = a.createPermission(new java.net.InetSocketAddress(relayedB.getAddress(), 9));
            assertThat(TurnTestClient.error(refused)).isEqualTo(403);
            assertThat(TurnTestClient.reason(refused)).isEqualTo("Forbidden");
            assertThat(refused("loopback") - loopback).isEqualTo(1);
            assertThat(a.channelBind(0x4000, relayedB).messageClass()).isEqualTo(chatmail.turn.protocol.Stun.SUCCESS);
            assertThat(b.channelBind(0x4000, relayedA).messageClass()).isEqualTo(chatmail.turn.protocol.Stun.SUCCESS);
            a.sendChannelData(0x4000, "hello b".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(b.next()).isEqualTo(java.nio.ByteBuffer.allocate(11).putShort((short) 0x4000).putShort((short) 7)
                    .put("hello b".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).array());
            // b hangs up: its relayed address is loopback again, and a's packets to it stay here.
            b.refresh(0);
            long relayed = server().relayedPackets();
            long dropped = server().droppedPackets(chatmail.metrics.TurnDrop.NO_PERMISSION);
            a.sendChannelData(0x4000, "anyone?".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            TurnTestClient.settle(server);
            assertThat(server().relayedPackets()).isEqualTo(relayed);
            assertThat(server().droppedPackets(chatmail.metrics.TurnDrop.NO_PERMISSION)).isEqualTo(dropped + 1);
            assertThat(TurnTestClient.error(a.channelBind(0x4000, relayedB))).as("its refresh is refused").isEqualTo(403);
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndAllocatesNothing() throws Exception {
        int allocations = server().allocations();
        ImapTurnCredentials wrong = new ImapTurnCredentials(credentials.host(), credentials.port(),
                credentials.username(), "d3JvbmcgcGFzc3dvcmQgaGVyZT0=");
        Uclient.Result run = Uclient.run(dir, TurnCallsTest.args(wrong, "-n", "5", "-e", "127.0.0.1",
                "-r", Integer.toString(peer.port)));
        refusedAsUnauthorized(run, allocations);
    }

    @Test
    void expiredCredentialsAreRefusedAndFreshOnesFromMetadataWork() throws Exception {
        relay.clock().advance(relay.config().turnCredentialLifetime().plus(Duration.ofSeconds(1)));
        TurnTestClient.settle(new java.net.InetSocketAddress("127.0.0.1", relay.port("turn")));
        int allocations = server().allocations();
        Uclient.Result run = Uclient.run(dir, TurnCallsTest.args(credentials, "-n", "5", "-e", "127.0.0.1",
                "-r", Integer.toString(peer.port)));
        refusedAsUnauthorized(run, allocations);
        ImapTurnCredentials fresh = ImapTurnCredentials.fetch(relay, TestRelay.address("turnrefus"));
        assertThat(Long.parseLong(fresh.username())).isGreaterThan(Long.parseLong(credentials.username()));
        Uclient.Result ok = Uclient.run(dir, TurnCallsTest.args(fresh, "-y", "-c", "-n", "5"));
        assertThat(ok.finished()).as(ok.output()).isTrue();
        assertThat(ok.lost()).isZero();
    }

    /**
     * A 401 carries REALM and NONCE (RFC 8489 9.2.4), so the client tries again, 32 times, then
     * gives up; it never gets an allocation.
     */
    private void refusedAsUnauthorized(Uclient.Result run, int allocationsBefore) throws Exception {
        assertThat(run.output()).contains("Cannot complete Allocation").doesNotContain("Received relay addr");
        assertThat(run.exitCode()).isNotZero();
        TurnTestClient.settle(new java.net.InetSocketAddress("127.0.0.1", relay.port("turn")));
        assertThat(server().allocations()).isEqualTo(allocationsBefore);
    }

    @Test
    void aClientAddressGetsTenAllocationsAndNoMore() throws Exception {
        int allocations = server().allocations();
        // Four pairs of callers from one address, each pair with a probe and two allocations:
        // the eleventh allocation is refused.
        Uclient.Result run = Uclient.run(dir, TurnCallsTest.args(credentials, "-y", "-c", "-m", "8", "-n", "5"));
        assertThat(run.output()).contains("error 486 (Allocation Quota Reached)");
        assertThat(run.exitCode()).isNotZero();
        TurnTestClient.settle(new java.net.InetSocketAddress("127.0.0.1", relay.port("turn")));
        assertThat(server().allocations() - allocations).isEqualTo(10);
        // Another address still gets its own.
        Uclient.Result other = Uclient.run(dir, TurnCallsTest.args(credentials, "-y", "-c", "-n", "5"));
        assertThat(other.finished()).as(other.output()).isTrue();
        assertThat(other.lost()).isZero();
    }
}
