package chatmail.smtp;

import chatmail.net.ConnectionLimiter;
import chatmail.net.SocketTransport;
import chatmail.net.TcpListener;
import chatmail.net.Transport;
import chatmail.smtp.protocol.SmtpReply;
import chatmail.tls.TlsContexts;
import chatmail.tls.TlsPolicy;
import chatmail.tls.TlsSockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The SMTP listeners: MX on 25, submission on 587 and 465. Each connection runs an
 * {@link SmtpSession} on its own virtual thread; {@code max_smtp_connections} caps them all,
 * a fifth of it per client.
 */
public final class SmtpServer implements AutoCloseable {

    private static final byte[] TOO_MANY_CONNECTIONS =
            SmtpReply.of(421, "4.7.0", "Too many connections, try again later").toBytes();

    private final SmtpServices services;
    private final TlsContexts tls;
    private final ConnectionLimiter limiter;
    private final List<TcpListener> listeners = new ArrayList<>();

    public SmtpServer(SmtpServices services, TlsContexts tls) {
        this.services = services;
        this.tls = tls;
        int max = services.config().maxSmtpConnections();
        this.limiter = new ConnectionLimiter(max, Math.max(1, max / 5));
    }

    /** Starts listening for one service on one address; returns the bound port. */
    public int listen(SmtpPort port, InetAddress address, int portNumber) throws IOException {
        TcpListener l = new TcpListener(port.serviceName(), address, portNumber, socket -> serve(port, socket));
        listeners.add(l);
        return l.port();
    }

    /** Runs a session on a connection accepted elsewhere (the port-443 router), already in TLS. */
    public void serve(SmtpPort port, Transport transport) throws IOException {
        try (ConnectionLimiter.Permit permit = limiter.tryAcquire(transport.peer())) {
            if (permit == null) {
                transport.out().write(TOO_MANY_CONNECTIONS);
                transport.out().flush();
                return;
            }
            new SmtpSession(services, port, transport).run();
        }
    }

    private void serve(SmtpPort port, Socket socket) throws IOException {
        // Bounds the implicit-TLS handshake too, which runs before the session sets its timeouts.
        socket.setSoTimeout(timeoutMillis(services.config().timeouts().smtpCommand()));
        TlsPolicy policy = port == SmtpPort.MX ? TlsPolicy.MX : TlsPolicy.CLIENT;
        SocketTransport transport;
        if (port.implicitTls()) {
            transport = new SocketTransport(tls.wrapAccepted(socket, policy, null, List.of()), null);
        } else {
            transport = new SocketTransport(socket, plain -> tls.startTls(plain, policy));
        }
        try {
            serve(port, transport);
        } finally {
            // JSSE's close would wait up to the read timeout for the peer's close_notify.
            TlsSockets.close(transport.socket());
            transport.close();
        }
    }

    private static int timeoutMillis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
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
