package chatmail.net;

import java.io.BufferedInputStream;
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
        // Sessions do their own buffering; a small buffer here only saves syscalls.
        in = new BufferedInputStream(socket.getInputStream(), 8192);
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
        streams();
    }

    @Override
    public boolean isTls() {
        return socket instanceof SSLSocket;
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
