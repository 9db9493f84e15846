package chatmail.imap;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** STARTTLS on port 143 (RFC 3501 6.2.1). */
final class StartTlsCommand {
    private static final Logger log = LoggerFactory.getLogger(StartTlsCommand.class);

    private StartTlsCommand() {}

    static Result run(ImapSession s, String tag) throws IOException {
        s.out().tagged(tag, "OK", "Begin TLS negotiation now.");
        s.flush();
        // Whatever the client pipelined behind STARTTLS came in the clear: drop it, never run it.
        int dropped = s.reader().discardBuffered();
        if (dropped > 0) {
            log.debug("dropped {} bytes sent after STARTTLS before the handshake", dropped);
        }
        s.transport().startTls();
        s.switchStreams(s.transport().in(), s.transport().out());
        return Result.ANSWERED;
    }
}
