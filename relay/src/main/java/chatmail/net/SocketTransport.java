package chatmail.net;

import chatmail.limits.Admission;
import chatmail.util.SingleByteRead;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLSocket;

/**
 * A {@link Transport} over a socket, optionally able to start TLS. Reads honour two limits: the
 * session's read timeout (inactivity), and the admission's login deadline, which is absolute:
 * each read may block only until it, so a client that sends a byte a minute is still cut there.
 */
public final class SocketTransport implements Transport {

    private final InetAddress peer;
    private final TlsUpgrade tlsUpgrade;
    /** The TCP socket under any TLS layer: closing it ends a blocked read without a TLS close. */
    private final Socket tcp;
    private final BusyMarker busy;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int readTimeoutMillis;
    private int appliedTimeoutMillis = -1;
    private volatile Admission admission = Admission.unlimited();

    /**
     * @param tlsUpgrade how to start TLS on this socket; {@code null} when STARTTLS is not offered
     */
    public SocketTransport(Socket socket, TlsUpgrade tlsUpgrade) throws IOException {
        this(socket, tlsUpgrade, socket, BusyMarker.none());
    }

    /**
     * @param tcp the plain socket {@code socket} is layered on (TLS over an accepted connection)
     * @param busy the listener's marker of this connection, which a stop looks at
     */
    public SocketTransport(Socket socket, TlsUpgrade tlsUpgrade, Socket tcp, BusyMarker busy) throws IOException {
        this.tcp = tcp;
        this.busy = busy;
        this.socket = socket;
        this.peer = socket.getInetAddress();
        this.tlsUpgrade = tlsUpgrade;
        // Until the session sets its own, reads wait as long as the listener allowed.
        this.readTimeoutMillis = socket.getSoTimeout();
        streams();
    }

    private void streams() throws IOException {
        // Unbuffered: sessions buffer themselves, and after STARTTLS nothing read ahead may survive.
        in = new DeadlineInput(socket.getInputStream());
        out = socket.getOutputStream();
        appliedTimeoutMillis = -1;
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public void startTls() throws IOException {
        if (isTls()) {
            throw new IllegalStateException("TLS already active");
        }
        if (tlsUpgrade == null) {
            throw new IllegalStateException("STARTTLS not offered on this connection");
        }
        // The old buffered stream and anything it read ahead are dropped here.
        SSLSocket tls = tlsUpgrade.upgrade(socket);
        tls.startHandshake();
        socket = tls;
        streams();
        applyTimeout(readTimeoutMillis);
    }

    @Override
    public boolean isTls() {
        return socket instanceof SSLSocket;
    }

    @Override
    public void setReadTimeout(java.time.Duration timeout) throws IOException {
        readTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        applyTimeout(readTimeoutMillis);
    }

    private void applyTimeout(int millis) throws IOException {
        if (millis != appliedTimeoutMillis) {
            socket.setSoTimeout(millis);
            appliedTimeoutMillis = millis;
        }
    }

    /** Lets each read block at most until the login deadline, and reports that deadline as such. */
    private final class DeadlineInput extends FilterInputStream {
        DeadlineInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            return SingleByteRead.through(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long deadline = admission.loginDeadline();
            if (deadline == Long.MAX_VALUE) {
                applyTimeout(readTimeoutMillis);
                return in.read(b, off, len);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timedOut();
            }
            long leftMillis = Math.max(1, (left + 999_999) / 1_000_000);
            long limit = readTimeoutMillis == 0 ? leftMillis : Math.min(readTimeoutMillis, leftMillis);
            applyTimeout((int) Math.min(Integer.MAX_VALUE, limit));
            try {
                return in.read(b, off, len);
            } catch (SocketTimeoutException e) {
                if (admission.loginDeadline() != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) {
                    throw timedOut();
                }
                throw e;
            }
        }

        private LoginTimeoutException timedOut() {
            admission.loginTimedOut();
            return new LoginTimeoutException();
        }
    }

    @Override
    public Admission admission() {
        return admission;
    }

    @Override
    public void bind(Admission admission) {
        this.admission = admission;
    }

    @Override
    public BusyMarker busy() {
        return busy;
    }

    @Override
    public InetAddress peer() {
        return peer;
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void abort() {
        try {
            tcp.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken connection: nothing left to do
        }
    }
}
