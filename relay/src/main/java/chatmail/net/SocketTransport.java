package chatmail.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;

/** A {@link Transport} over a socket, optionally able to start TLS. */
public final class SocketTransport implements Transport {

    private final InetAddress peer;
    private final TlsUpgrade tlsUpgrade;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int readTimeoutMillis;

    /**
     * @param tlsUpgrade how to start TLS on this socket; {@code null} when STARTTLS is not offered
     */
    public SocketTransport(Socket socket, TlsUpgrade tlsUpgrade) throws IOException {
        this.socket = socket;
        this.peer = socket.getInetAddress();
        this.tlsUpgrade = tlsUpgrade;
        streams();
    }

    private void streams() throws IOException {
        // Unbuffered: sessions buffer themselves, and after STARTTLS nothing read ahead may survive.
        in = socket.getInputStream();
        out = socket.getOutputStream();
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
        socket.setSoTimeout(readTimeoutMillis);
        streams();
    }

    @Override
    public boolean isTls() {
        return socket instanceof SSLSocket;
    }

    @Override
    public void setReadTimeout(java.time.Duration timeout) throws IOException {
        readTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        socket.setSoTimeout(readTimeoutMillis);
    }

    @Override
    public InetAddress peer() {
        return peer;
    }

    public Socket socket() {
        return socket;
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
