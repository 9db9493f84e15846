package chatmail.turn;

import static chatmail.turn.TurnTestClient.error;
import static chatmail.turn.TurnTestClient.reason;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.metrics.TurnPeerRefusal;
import chatmail.testing.TestRelay;
import chatmail.turn.protocol.Stun;
import chatmail.turn.protocol.StunMessage;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every class of address TURN-3 keeps a relay from reaching, refused with 403 by the running
 * server and counted by reason in the metrics; a global address is a peer. The relay announces
 * {@code turn_external_address} 1.2.3.4, which makes that address its own.
 */
class TurnPeerRefusalsTest {
    @TempDir
    Path dir;

    @Test
    void theOperatorsNetworkIsNoPeerAndEachRefusalIsCounted() throws Exception {
        try (TestRelay relay = TestRelay.start(dir.resolve("data"), b -> b.turnExternalAddress = "1.2.3.4")) {
            ImapTurnCredentials credentials = ImapTurnCredentials.fetch(relay, TestRelay.address("turnpeers"));
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", relay.port("turn"));
            Map<String, TurnPeerRefusal> refused = Map.ofEntries(
                    Map.entry("10.1.2.3", TurnPeerRefusal.PRIVATE), Map.entry("172.16.5.4", TurnPeerRefusal.PRIVATE),
                    Map.entry("192.168.1.1", TurnPeerRefusal.PRIVATE), Map.entry("100.64.1.1", TurnPeerRefusal.PRIVATE),
                    Map.entry("169.254.9.9", TurnPeerRefusal.LINK_LOCAL), Map.entry("224.0.0.5", TurnPeerRefusal.MULTICAST),
                    Map.entry("127.0.0.1", TurnPeerRefusal.LOOPBACK), Map.entry("0.0.0.1", TurnPeerRefusal.RESERVED),
                    Map.entry("255.255.255.255", TurnPeerRefusal.RESERVED), Map.entry("1.2.3.4", TurnPeerRefusal.OWN_ADDRESS));
            try (TurnTestClient c = TurnTestClient.open("127.0.0.1", server)
                    .credentials(credentials.username(), credentials.password())) {
                InetSocketAddress relayed = c.allocate();
                assertThat(relayed.getAddress()).as("the announced relayed address").isEqualTo(InetAddress.getByName("1.2.3.4"));
                for (String address : refused.keySet()) {
                    StunMessage m = c.createPermission(new InetSocketAddress(InetAddress.getByName(address), 5000));
                    assertThat(error(m)).as(address).isEqualTo(403);
                    assertThat(reason(m)).isEqualTo("Forbidden");
                }
                StunMessage channel = c.channelBind(0x4000, new InetSocketAddress(InetAddress.getByName("192.168.7.7"), 5000));
                assertThat(error(channel)).isEqualTo(403);
                // A global address is a peer (nothing is sent to it here).
                assertThat(c.createPermission(new InetSocketAddress(InetAddress.getByName("8.8.8.8"), 53)).messageClass())
                        .isEqualTo(Stun.SUCCESS);
                // With refused and allowed peers in one request, none is installed: 403.
                assertThat(error(c.authenticated(Stun.CREATE_PERMISSION, w -> w
                        .xorAddress(chatmail.turn.protocol.Attribute.XOR_PEER_ADDRESS, new InetSocketAddress("8.8.4.4", 53))
                        .xorAddress(chatmail.turn.protocol.Attribute.XOR_PEER_ADDRESS, new InetSocketAddress("10.0.0.1", 53)))))
                        .isEqualTo(403);
            }
            var registry = relay.relay().metrics().registry();
            assertThat(counter(registry, "chatmail_turn_peers_refused", Labels.of("reason", "private"))).isEqualTo(6);
            assertThat(counter(registry, "chatmail_turn_peers_refused", Labels.of("reason", "link_local"))).isEqualTo(1);
            assertThat(counter(registry, "chatmail_turn_peers_refused", Labels.of("reason", "multicast"))).isEqualTo(1);
            assertThat(counter(registry, "chatmail_turn_peers_refused", Labels.of("reason", "loopback"))).isEqualTo(1);
            assertThat(counter(registry, "chatmail_turn_peers_refused", Labels.of("reason", "reserved"))).isEqualTo(2);
            assertThat(counter(registry, "chatmail_turn_peers_refused", Labels.of("reason", "own_address"))).isEqualTo(1);
            assertThat(counter(registry, "chatmail_turn_allocations", Labels.EMPTY)).isEqualTo(1);
            assertThat(gauge(registry, "chatmail_turn_allocations_live")).isEqualTo(1);
            assertThat(counter(registry, "chatmail_turn_relayed_bytes", Labels.EMPTY)).isZero();
        }
    }

    static double counter(io.prometheus.metrics.model.registry.PrometheusRegistry registry, String name, Labels labels) {
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot.getMetadata().getName().equals(name)) {
                for (CounterSnapshot.CounterDataPointSnapshot p : ((CounterSnapshot) snapshot).getDataPoints()) {
                    if (p.getLabels().equals(labels)) {
                        return p.getValue();
                    }
                }
            }
        }
        throw new AssertionError("no " + name + labels);
    }

    static double gauge(io.prometheus.metrics.model.registry.PrometheusRegistry registry, String name) {
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot.getMetadata().getName().equals(name)) {
                return ((GaugeSnapshot) snapshot).getDataPoints().getFirst().getValue();
            }
        }
        throw new AssertionError("no " + name);
    }
}
