package chatmail.turn;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls through our TURN server as an independent client makes them: coturn's
 * {@code turnutils_uclient} with credentials read by IMAP GETMETADATA, to coturn's echoing
 * {@code turnutils_peer} on loopback (which {@code turn_allow_private_peers} permits here).
 */
class TurnCallsTest {
    @TempDir
    static Path dir;
    static TestRelay relay;
    static EchoPeer peer;
    static ImapTurnCredentials credentials;
    private static int nextClient = 1;

    @BeforeAll
    static void start() throws Exception {
        Uclient.requireInstalled();
        relay = TestRelay.start(dir.resolve("data"), b -> b.turnAllowPrivatePeers = true);
        peer = EchoPeer.start("127.0.0.1");
        credentials = ImapTurnCredentials.fetch(relay, TestRelay.address("turncalls"));
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

    /** A client address of its own for each run: the per-client quota of TURN-3 counts per address. */
    static String clientAddress() {
        return "127.0.20." + nextClient++;
    }

    static List<String> args(ImapTurnCredentials c, String... options) {
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of("-u", c.username(), "-w", c.password(), "-p", Integer.toString(c.port()),
                "-L", clientAddress(), "127.0.0.1"));
        return args;
    }

    static TurnServer server() {
        return relay.relay().turn().server().orElseThrow();
    }

    @Test
    void metadataAnnouncesOurServerOnItsBoundPort() {
        assertThat(credentials.host()).isEqualTo(TestRelay.DOMAIN);
        assertThat(credentials.port()).isEqualTo(relay.port("turn")).isNotEqualTo(3478);
        assertThat(Long.parseLong(credentials.username()))
                .isEqualTo(relay.clock().instant().plus(relay.config().turnCredentialLifetime()).getEpochSecond());
    }

    @Test
    void channelsCarryUdpBothWaysWithoutLossOnAnEvenPortAndItsReservedNeighbour() throws Exception {
        // Earlier tests' clients may exit with their Refresh 0 still in the server's queue: the
        // count starts once the server has answered everything sent before.
        TurnTestClient.settle(new java.net.InetSocketAddress("127.0.0.1", relay.port("turn")));
        long relayedBefore = server().relayedPackets();
        int liveBefore = server().allocations();
        Uclient.Result run = Uclient.run(dir, args(credentials, "-v", "-n", "50", "-e", "127.0.0.1",
                "-r", Integer.toString(peer.port)));
        assertThat(run.finished()).as(run.output()).isTrue();
        // One RTP and one RTCP session of 50 packets each, all echoed back through the channels.
        assertThat(run.sent()).isEqualTo(100);
        assertThat(run.received()).isEqualTo(100);
        assertThat(run.lost()).isZero();
        assertThat(run.output()).doesNotContain("error ");
        // The probe asks for EVEN-PORT with R, the RTP allocation brings its RESERVATION-TOKEN and
        // gets the odd port after it; RTCP asks for EVEN-PORT with R again.
        List<Integer> ports = run.relayedPorts();
        assertThat(ports).hasSize(3);
        assertThat(ports.get(0) % 2).isZero();
        assertThat(ports.get(1)).isEqualTo(ports.get(0) + 1);
        assertThat(ports.get(2) % 2).isZero();
        assertThat(server().relayedPackets() - relayedBefore).isGreaterThanOrEqualTo(2 * run.received());
        // The client deletes RTP and RTCP with Refresh 0 at the end; the probe stays until its lifetime ends.
        TurnTestClient.settle(new java.net.InetSocketAddress("127.0.0.1", relay.port("turn")));
        assertThat(server().allocations()).isEqualTo(liveBefore + 1);
    }

    @Test
    void sendIndicationsAndPermissionsWithEvenPortR0CarryUdpWithoutLoss() throws Exception {
        // -c: no RTCP, and about half of the Allocates carry EVEN-PORT with R=0; -s: Send and Data
        // indications with CreatePermission instead of channels; -m 4: four clients at once.
        Uclient.Result run = Uclient.run(dir, args(credentials, "-c", "-s", "-m", "4", "-n", "30",
                "-e", "127.0.0.1", "-r", Integer.toString(peer.port)));
        assertThat(run.finished()).as(run.output()).isTrue();
        assertThat(run.sent()).isEqualTo(120);
        assertThat(run.received()).isEqualTo(120);
        assertThat(run.lost()).isZero();
        assertThat(run.output()).doesNotContain("error ");
    }

    @Test
    void twoClientsOfThisRelayCallEachOther() throws Exception {
        Uclient.Result run = Uclient.run(dir, args(credentials, "-y", "-n", "30"));
        assertThat(run.finished()).as(run.output()).isTrue();
        // Two callers with RTP and RTCP each: four sessions of 30 packets, each received by the other side.
        assertThat(run.sent()).isEqualTo(120);
        assertThat(run.received()).isEqualTo(120);
        assertThat(run.lost()).isZero();
    }
}
