package chatmail.metrics;

/**
 * The services the limits layer counts connections for (SPEC SEC-3): the {@code service} label
 * of {@code chatmail_connections_refused_total}. Port 443 is one service until the router hands
 * a connection on to IMAP or submission, which then count it as theirs.
 */
public enum ConnectionService {
    /** Port 25. */
    MX,
    /** Ports 587 and 465, and ALPN {@code smtp} on 443. */
    SUBMISSION,
    /** Ports 143 and 993, and ALPN {@code imap} on 443. */
    IMAP,
    /** Port 443 before routing, and the HTTPS connections it hands to the web server. */
    HTTPS;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
