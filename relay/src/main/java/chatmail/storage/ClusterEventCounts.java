package chatmail.storage;

/**
 * One node's cross-node notifications since it started (SCALE-2), as {@code chatmail status}
 * shows them: sent and in how many statements, batches dropped after their retry, heard from
 * other nodes, and reconnects of the LISTEN connection.
 */
public record ClusterEventCounts(long sent, long batches, long dropped, long received, long listenerReconnects) {}
