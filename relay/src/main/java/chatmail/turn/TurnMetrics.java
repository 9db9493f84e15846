package chatmail.turn;

import chatmail.metrics.Metrics;
import chatmail.metrics.TurnDrop;
import chatmail.metrics.TurnPeerRefusal;
import io.prometheus.metrics.core.metrics.Counter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The TURN server's counts (SPEC OPS-3), registered through the relay's {@link Metrics}. What
 * the relay path counts per packet is kept in adders read at scrape time, so counting allocates
 * nothing there.
 */
final class TurnMetrics {
    private final Counter allocations;
    private final Counter peersRefused;
    private final AtomicInteger live = new AtomicInteger();
    private final LongAdder relayedBytes = new LongAdder();
    private final LongAdder relayedPackets = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[TurnDrop.values().length];

    TurnMetrics(Metrics metrics) {
        allocations = metrics.counter("chatmail_turn_allocations", "TURN allocations created.");
        peersRefused = metrics.counter("chatmail_turn_peers_refused",
                "TURN permissions and channels refused for the peer's address (TURN-3), by reason.", "reason");
        for (TurnPeerRefusal reason : TurnPeerRefusal.values()) {
            peersRefused.initLabelValues(reason.label());
        }
        metrics.gauge("chatmail_turn_allocations_live", "TURN allocations alive now.", live::get);
        metrics.counterWithCallback("chatmail_turn_relayed_bytes", "Payload bytes relayed by TURN, both directions.",
                relayedBytes::sum);
        metrics.counterWithCallback("chatmail_turn_relayed_packets", "Packets relayed by TURN, both directions.",
                relayedPackets::sum);
        for (TurnDrop reason : TurnDrop.values()) {
            LongAdder adder = new LongAdder();
            dropped[reason.ordinal()] = adder;
        }
        metrics.counterWithCallback("chatmail_turn_packets_dropped", "Packets TURN did not relay, by reason.",
                "reason", java.util.Arrays.stream(TurnDrop.values()).map(TurnDrop::label).toArray(String[]::new),
                i -> dropped[i].sum());
    }

    void allocationCreated() {
        allocations.inc();
        live.incrementAndGet();
    }

    void allocationFreed() {
        live.decrementAndGet();
    }

    int live() {
        return live.get();
    }

    void peerRefused(TurnPeerRefusal reason) {
        peersRefused.labelValues(reason.label()).inc();
    }

    void relayed(int bytes) {
        relayedBytes.add(bytes);
        relayedPackets.increment();
    }

    void dropped(TurnDrop reason) {
        dropped[reason.ordinal()].increment();
    }

    long relayedPackets() {
        return relayedPackets.sum();
    }

    long relayedBytes() {
        return relayedBytes.sum();
    }

    long droppedPackets(TurnDrop reason) {
        return dropped[reason.ordinal()].sum();
    }
}
