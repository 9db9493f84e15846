package chatmail.net;

import java.time.Duration;

/**
 * How long a stopping relay lets work it already started finish: a command being answered on
 * SMTP or IMAP, an HTTPS request (a /mxdeliv commit), an outbound attempt. One figure for all,
 * so no side of the relay closes under another that still waits. Far below systemd's
 * TimeoutStopSec (60 s); what it waits for normally takes milliseconds.
 */
public final class StopGrace {

    public static final Duration DURATION = Duration.ofSeconds(5);

    private StopGrace() {
    }
}
