package chatmail.metrics;

/**
 * Why the TURN server dropped a packet it would otherwise relay: the {@code reason} label values
 * of {@code chatmail_turn_packets_dropped_total}.
 */
public enum TurnDrop {
    /** No permission (or channel) for that peer, or it expired. */
    NO_PERMISSION,
    /** Over the allocation's bandwidth (SPEC TURN-3). */
    RATE_LIMIT,
    /** The outgoing socket's buffer was full: the relay thread does not wait. */
    SEND_BUFFER_FULL;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
