package chatmail.tls;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLSocket;

/** Socket handling that JSSE gets wrong for a server with long read timeouts. */
public final class TlsSockets {
    private TlsSockets() {
    }

    /**
     * Closes a connection without waiting for the peer. On a TLS 1.3 {@link SSLSocket} with a
     * read timeout, JSSE's {@code close()} sends close_notify and then blocks for up to that
     * timeout waiting for the peer's answer; with IMAP IDLE timeouts of half an hour, a dead
     * peer would keep the connection (and its thread) around that long. A zero timeout makes
     * JSSE skip the wait and only discard what has already arrived.
     */
    public static void close(Socket socket) {
        try {
            if (socket instanceof SSLSocket && !socket.isClosed()) {
                socket.setSoTimeout(0);
            }
        } catch (IOException e) {
            // Already broken: closing below is all that is left to do.
        }
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing useful to do; the connection is gone either way.
        }
    }
}
