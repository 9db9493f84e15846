package chatmail.net;

import chatmail.limits.Admission;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;

/**
 * One client connection as a protocol session sees it: the same SMTP or IMAP session runs on a
 * plain socket, after STARTTLS, with implicit TLS, or behind the port-443 multiplexer.
 */
public interface Transport extends AutoCloseable {

    InputStream in() throws IOException;

    OutputStream out() throws IOException;

    /**
     * Starts TLS on this connection (STARTTLS). Whatever the session had read ahead must be
     * thrown away by the session itself: only bytes after the handshake are trusted.
     */
    void startTls() throws IOException;

    boolean isTls();

    /** How long a read may block before it fails with a timeout; zero waits forever. */
    void setReadTimeout(java.time.Duration timeout) throws IOException;

    /** The client's address, for limits only: it is never logged nor stored with mail. */
    InetAddress peer();

    /**
     * The limits layer's record of this connection (SEC-3): the session reports its login to it,
     * and reads fail with {@link LoginTimeoutException} once its login deadline has passed.
     */
    Admission admission();

    /**
     * Where the session marks the commands it executes, from the end of reading one until its
     * reply is flushed: a stop lets those finish and closes the connection at once otherwise.
     */
    default BusyMarker busy() {
        return BusyMarker.none();
    }

    /** Puts the connection under these limits; the listener calls it once it admitted the client. */
    void bind(Admission admission);

    /**
     * Ends the connection from another thread at once (eviction, login deadline, a deleted
     * account): the session's blocked read fails. Never waits for the peer; never throws.
     */
    void abort();

    /** Closes the connection; never throws. */
    @Override
    void close();
}
