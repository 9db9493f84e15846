package chatmail.imap;

import chatmail.turn.RestCredentials;
import java.time.Instant;

/**
 * The METADATA value of TURN credentials (SPEC IMAP-5), made by the REST scheme of
 * {@link RestCredentials}.
 */
final class TurnCredentials {
    private TurnCredentials() {}

    static String password(String secret, String username) {
        return RestCredentials.password(secret, username);
    }

    /** {@code host:port:<expiry>:<password>} as Delta Chat reads it from METADATA. */
    static String entry(String server, String secret, Instant expiry) {
        String username = RestCredentials.username(expiry);
        return server + ":" + username + ":" + password(secret, username);
    }
}
