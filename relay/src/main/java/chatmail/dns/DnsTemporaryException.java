package chatmail.dns;

/**
 * A lookup that may succeed later: SERVFAIL, REFUSED, a timeout or an unreachable server.
 * Callers answer with a 4xx and try again; they never treat it as "the name does not exist".
 */
public final class DnsTemporaryException extends Exception {
    public DnsTemporaryException(String message) {
        super(message);
    }

    public DnsTemporaryException(String message, Throwable cause) {
        super(message, cause);
    }
}
