package chatmail.metrics;

/**
 * The {@code result} label of {@code chatmail_outbound_attempts_total}: what one attempt did for
 * one recipient. {@code failed} includes refused destinations and mail that waited too long.
 */
public enum OutboundResult {
    DELIVERED, DEFERRED, FAILED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
