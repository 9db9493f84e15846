package chatmail.net;

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

    /** Closes the connection; never throws. */
    @Override
    void close();
}
