package chatmail.metrics;

/** Why the limits layer refused or ended a connection: the {@code reason} label of SEC-3's counter. */
public enum ConnectionRefusal {
    /** The client (IPv4 address, IPv6 /64) holds its share of the service's connections. */
    CLIENT_CONNECTIONS,
    /** The client holds its allowance of connections that have not logged in. */
    CLIENT_UNAUTHENTICATED,
    /** The service is full and no connection could be evicted for this one. */
    SERVICE_FULL,
    /** Closed to make room: the oldest connection that had not logged in when the service was full. */
    EVICTED,
    /** Did not log in (or, on port 25, send MAIL) within {@code login_timeout}. */
    LOGIN_TIMEOUT,
    /** The account holds {@code max_imap_connections_per_account} IMAP connections already. */
    ACCOUNT_CONNECTIONS,
    /** Ended because its account was deleted (SEC-9). */
    ACCOUNT_DELETED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
