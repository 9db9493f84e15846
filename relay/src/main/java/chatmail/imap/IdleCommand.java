package chatmail.imap;

import chatmail.imap.protocol.ImapReader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * IDLE (RFC 2177). The session's thread waits for the client's DONE; an {@link IdleNotifier}
 * reports changes of the selected mailbox the moment the store announces them (no polling) and
 * keeps the connection alive. DONE is answered at once.
 */
final class IdleCommand {
    private IdleCommand() {}

    static Result run(ImapSession s) throws IOException {
        // Counted from before the continuation to after the tagged answer, so a client sees it counted.
        s.services().idleSessions().started();
        try {
            return idle(s);
        } finally {
            s.services().idleSessions().ended();
        }
    }

    private static Result idle(ImapSession s) throws IOException {
        s.out().continuation("idling");
        s.transport().setReadTimeout(s.idleTimeout());
        DeflateOutputStream deflate = s.deflateOut();
        if (deflate != null) {
            // An idle connection need not hold a 250 KiB Deflater between notifications.
            deflate.releaseAfterFlush(true);
        }
        IdleNotifier notifier = new IdleNotifier(s, s.services().limits().idleKeepAlive());
        s.mailboxWaker(notifier::wake);
        notifier.start();
        ImapReader.Input line;
        try {
            // Changes that came in before the waker was set are reported right away.
            notifier.wake();
            line = s.reader().readLine();
        } finally {
            s.mailboxWaker(null);
            notifier.stop();
            if (deflate != null) {
                deflate.releaseAfterFlush(false);
            }
        }
        s.transport().setReadTimeout(s.services().limits().autologout());
        return switch (line) {
            case ImapReader.Command c when new String(c.bytes(), StandardCharsets.US_ASCII).equalsIgnoreCase("DONE") ->
                    Result.ok("Idle completed.");
            case ImapReader.EndOfInput e -> throw new EOFException("client left during IDLE");
            default -> Result.bad("Expected DONE.");
        };
    }
}
