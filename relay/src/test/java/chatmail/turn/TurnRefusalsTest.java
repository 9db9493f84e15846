package chatmail.turn;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
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
    Path dir;
    TestRelay relay;
    EchoPeer peer;
    ImapTurnCredentials credentials;

    @BeforeEach
    void start() throws Exception {
        Uclient.requireInstalled();
        relay = TestRelay.start(dir.resolve("data"));
        peer = EchoPeer.start("127.0.0.1");
        credentials = ImapTurnCredentials.fetch(relay, TestRelay.address("turnrefus"));
    }

    @AfterEach
    void stop() {
        if (peer != null) {
            peer.close();
        }
        if (relay != null) {
            relay.close();
        }
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
        Uclient.Result channels = Uclient.run(dir, TurnCallsTest.args(credentials, "-n", "5", "-e", "127.0.0.1",
                "-r", Integer.toString(peer.port)));
        assertThat(channels.output()).contains("channel bind: error 403 (Forbidden)");
        assertThat(channels.exitCode()).isNotZero();
        assertThat(channels.finished()).isFalse();
        Uclient.Result permissions = Uclient.run(dir, TurnCallsTest.args(credentials, "-c", "-s", "-n", "5",
                "-e", "127.0.0.1", "-r", Integer.toString(peer.port)));
        assertThat(permissions.output()).contains("create permission error 403 (Forbidden)");
        assertThat(permissions.exitCode()).isNotZero();
        assertThat(refused("loopback")).isEqualTo(2);
        assertThat(refused("private")).isZero();
        assertThat(server().relayedPackets()).as("nothing reached the peer").isZero();
    }

    @Test
    void twoClientsOfThisRelayMayCallEachOtherThroughTheirRelayedAddresses() throws Exception {
        // Relayed addresses here are on loopback, refused as peers but for this exception of TURN-3.
        Uclient.Result run = Uclient.run(dir, TurnCallsTest.args(credentials, "-y", "-c", "-n", "20"));
        assertThat(run.finished()).as(run.output()).isTrue();
        assertThat(run.sent()).isEqualTo(40);
        assertThat(run.received()).isEqualTo(40);
        assertThat(run.lost()).isZero();
        assertThat(refused("loopback")).isZero();
    }

    @Test
    void aWrongPasswordIsRefusedAndAllocatesNothing() throws Exception {
        ImapTurnCredentials wrong = new ImapTurnCredentials(credentials.host(), credentials.port(),
                credentials.username(), "d3JvbmcgcGFzc3dvcmQgaGVyZT0=");
        Uclient.Result run = Uclient.run(dir, TurnCallsTest.args(wrong, "-n", "5", "-e", "127.0.0.1",
                "-r", Integer.toString(peer.port)));
        refusedAsUnauthorized(run);
    }

    @Test
    void expiredCredentialsAreRefusedAndFreshOnesFromMetadataWork() throws Exception {
        relay.clock().advance(relay.config().turnCredentialLifetime().plus(Duration.ofSeconds(1)));
        Uclient.Result run = Uclient.run(dir, TurnCallsTest.args(credentials, "-n", "5", "-e", "127.0.0.1",
                "-r", Integer.toString(peer.port)));
        refusedAsUnauthorized(run);
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
    private void refusedAsUnauthorized(Uclient.Result run) throws Exception {
        assertThat(run.output()).contains("Cannot complete Allocation").doesNotContain("Received relay addr");
        assertThat(run.exitCode()).isNotZero();
        TurnCallsTest.settle(relay);
        assertThat(server().allocations()).isZero();
    }

    @Test
    void aClientAddressGetsTenAllocationsAndNoMore() throws Exception {
        // Four pairs of callers from one address, each pair with a probe and two allocations:
        // the eleventh allocation is refused.
        Uclient.Result run = Uclient.run(dir, TurnCallsTest.args(credentials, "-y", "-c", "-m", "8", "-n", "5"));
        assertThat(run.output()).contains("error 486 (Allocation Quota Reached)");
        assertThat(run.exitCode()).isNotZero();
        TurnCallsTest.settle(relay);
        assertThat(server().allocations()).isEqualTo(10);
        // Another address still gets its own.
        Uclient.Result other = Uclient.run(dir, TurnCallsTest.args(credentials, "-y", "-c", "-n", "5"));
        assertThat(other.finished()).as(other.output()).isTrue();
        assertThat(other.lost()).isZero();
    }
}
