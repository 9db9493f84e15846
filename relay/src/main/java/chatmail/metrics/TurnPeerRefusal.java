package chatmail.metrics;

/**
 * Why the TURN server refused a peer address (SPEC TURN-3): the {@code reason} label values of
 * {@code chatmail_turn_peers_refused_total}.
 */
public enum TurnPeerRefusal {
    LOOPBACK, PRIVATE, LINK_LOCAL, MULTICAST, RESERVED, OWN_ADDRESS;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
