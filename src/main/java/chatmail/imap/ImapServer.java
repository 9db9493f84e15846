package chatmail.imap;

import chatmail.net.ConnectionLimiter;
import chatmail.net.SocketTransport;
import chatmail.net.TcpListener;
import chatmail.net.Transport;
import chatmail.tls.TlsContexts;
import chatmail.tls.TlsPolicy;
import chatmail.tls.TlsSockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The IMAP listeners: 143 (STARTTLS) and 993 (implicit TLS), both TLS 1.3 only. Each connection
 * runs an {@link ImapSession} on its own virtual thread. {@code max_imap_connections} caps them
 * all and a fifth of it each client address (a /64 for IPv6), so one host cannot take them all.
 */
public final class ImapServer implements AutoCloseable {

    private static final byte[] TOO_MANY_CONNECTIONS =
            "* BYE [UNAVAILABLE] Too many connections, try again later.\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ImapServices services;
    private final TlsContexts tls;
    private final ConnectionLimiter limiter;
    private final List<TcpListener> listeners = new ArrayList<>();

    public ImapServer(ImapServices services, TlsContexts tls) {
        this.services = services;
        this.tls = tls;
        int max = services.config().maxImapConnections();
        this.limiter = new ConnectionLimiter(max, Math.max(1, max / 5));
    }

    /** Starts listening for one service on one address; returns the bound port. */
    public int listen(ImapPort port, InetAddress address, int portNumber) throws IOException {
        TcpListener l = new TcpListener(port.serviceName(), address, portNumber, socket -> serve(port, socket));
        listeners.add(l);
        return l.port();
    }

    /**
     * Runs a session on a connection accepted elsewhere (the port-443 router), already in TLS;
     * the caller closes the transport.
     */
    public void serve(ImapPort port, Transport transport) throws IOException {
        try (ConnectionLimiter.Permit permit = limiter.tryAcquire(transport.peer())) {
            if (permit == null) {
                transport.out().write(TOO_MANY_CONNECTIONS);
                transport.out().flush();
                return;
            }
            new ImapSession(services, port, transport).run();
        }
    }

    private void serve(ImapPort port, Socket socket) throws IOException {
        // The handshake of 993 runs on first use, under the before-login timeout.
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, services.limits().beforeLogin().toMillis()));
        SocketTransport transport = port.implicitTls()
                ? new SocketTransport(tls.wrapAccepted(socket, TlsPolicy.CLIENT, null, List.of()), null)
                : new SocketTransport(socket, plain -> tls.startTls(plain, TlsPolicy.CLIENT));
        try {
            serve(port, transport);
        } finally {
            // JSSE's close would wait for the peer's close_notify up to the read timeout.
            TlsSockets.close(transport.socket());
            transport.close();
        }
    }

    public int connections() {
        return limiter.current();
    }

    @Override
    public void close() {
        for (TcpListener l : listeners) {
            l.close();
        }
    }
}
