package chatmail.status;

import chatmail.delivery.outbound.QueueSummary;
import chatmail.expiry.ExpiryReport;
import chatmail.storage.ClusterEventCounts;
import chatmail.store.StoreStatistics;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What {@code chatmail status} reads from the running relay (OPS-3), each through a small
 * supplier so a component can be swapped without touching the report.
 */
public record StatusSources(
        String version,
        Instant startedAt,
        Supplier<Map<String, Integer>> listeners,
        Function<LocalDate, StoreStatistics> store,
        Supplier<QueueSummary> outboundQueue,
        Supplier<PushQueue> pushQueue,
        CertificateSource certificates,
        Supplier<Optional<ExpiryRun>> lastExpiry,
        Supplier<Optional<DnsCheck>> lastDnsCheck,
        Node node,
        Supplier<Connections> connections,
        Supplier<Optional<ClusterEventCounts>> clusterEvents) {

    /**
     * This process among the nodes: its name (the holder of its queue claims), its storage
     * backend, and whether other nodes share that storage (then the stored figures and the
     * queues are the cluster's).
     */
    public record Node(String id, String storage, boolean shared) {}

    /** Open connections by service, in the metrics' order, and sessions in IDLE: this node's. */
    public record Connections(Map<String, Integer> byService, int idle) {}

    /** Push notifications waiting and when the oldest was queued. */
    public record PushQueue(long size, Optional<Instant> oldest) {}

    /** One expiry run and what it deleted. */
    public record ExpiryRun(Instant at, ExpiryReport report) {}

    /** The last {@code chatmail dns --check}: when, and how many required records were missing or wrong. */
    public record DnsCheck(Instant at, int problems) {}
}
