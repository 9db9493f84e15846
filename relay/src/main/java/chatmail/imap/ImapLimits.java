package chatmail.imap;

import chatmail.config.Config;
import java.time.Duration;

/**
 * Limits against abuse (SPEC IMAP-7), from the configuration: sizes, and the timeouts that end
 * a connection before login, after login and in IDLE.
 *
 * @param maxLineLength longest command line in octets (without literals)
 * @param maxLineBeforeLogin longest command line before login: LOGIN, AUTHENTICATE and ID need
 *     little, and the hasher never sees more than this (SEC-2)
 * @param maxLiteralBeforeLogin largest literal before login (LOGIN and AUTHENTICATE only need little)
 * @param maxLiteral largest literal after login: a message for APPEND ({@code max_message_size})
 * @param beforeLogin how long a connection may sit idle before it logs in
 * @param autologout how long a logged-in connection may sit idle outside IDLE (RFC 3501: at least 30 min)
 * @param idle how long an IDLE command may last without a DONE
 * @param idleKeepAlive how often an IDLE connection gets {@code * OK Still here}
 * @param maxBadCommands after this many BAD answers the connection is closed
 */
public record ImapLimits(
        int maxLineLength,
        int maxLineBeforeLogin,
        int maxLiteralBeforeLogin,
        long maxLiteral,
        Duration beforeLogin,
        Duration autologout,
        Duration idle,
        Duration idleKeepAlive,
        int maxBadCommands) {

    /** Dovecot's default imap_max_line_length. */
    public static final int DEFAULT_MAX_LINE = 64 * 1024;
    /** Before login: a LOGIN with the longest address and a 256-byte password, escaped, fits many times. */
    public static final int MAX_LINE_BEFORE_LOGIN = 8 * 1024;
    /** Before login a literal holds a user name or password, not a message. */
    public static final int MAX_LITERAL_BEFORE_LOGIN = 1024;

    public static ImapLimits fromConfig(Config config) {
        Config.Timeouts t = config.timeouts();
        // RFC 3501 5.4: the autologout timer is at least 30 minutes; imapIdle (31 min by
        // default) is the one configurable inactivity limit after login.
        return new ImapLimits(DEFAULT_MAX_LINE, MAX_LINE_BEFORE_LOGIN, MAX_LITERAL_BEFORE_LOGIN,
                config.maxMessageSize(), t.imapBeforeLogin(),
                t.imapIdle(), t.imapIdle(), t.imapIdleKeepAlive(), 20);
    }
}
