package chatmail.net;

import chatmail.tls.TlsContexts;
import chatmail.tls.TlsPolicy;
import chatmail.tls.TlsSockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The listeners of one protocol (IMAP, SMTP) for all its services, under one connection cap: a
 * fifth of it per client address, so one host cannot take them all. A connection over the cap
 * gets the protocol's refusal line and is closed; the others run a session on their own thread.
 *
 * @param <P> the protocol's services
 */
public final class ServiceListeners<P extends ServicePort> implements AutoCloseable {

    /** A protocol session on an established connection; the caller closes the transport. */
    @FunctionalInterface
    public interface Session<P> {
        void run(P port, Transport transport) throws IOException;
    }

    private final TlsContexts tls;
    private final ConnectionLimiter limiter;
    private final byte[] refusal;
    private final Duration handshakeTimeout;
    private final Function<P, TlsPolicy> policy;
    private final Session<P> session;
    private final List<TcpListener> listeners = new ArrayList<>();
    /** Sessions running now, by service, for the metrics; a connection over the cap is not one. */
    private final Map<P, AtomicInteger> sessions = new ConcurrentHashMap<>();

    /**
     * @param refusal          what a client over the cap reads before the connection is closed
     * @param handshakeTimeout the read timeout until the session sets its own; it bounds the
     *                         implicit-TLS handshake, which runs on first use
     * @param policy           the TLS policy of each service
     */
    public ServiceListeners(TlsContexts tls, int maxConnections, byte[] refusal, Duration handshakeTimeout,
            Function<P, TlsPolicy> policy, Session<P> session) {
        this.tls = tls;
        this.limiter = new ConnectionLimiter(maxConnections, Math.max(1, maxConnections / 5));
        this.refusal = refusal.clone();
        this.handshakeTimeout = handshakeTimeout;
        this.policy = policy;
        this.session = session;
    }

    /** Starts listening for one service on one address; returns the bound port. */
    public int listen(P port, InetAddress address, int portNumber) throws IOException {
        TcpListener l = new TcpListener(port.serviceName(), address, portNumber, socket -> serve(port, socket));
        listeners.add(l);
        return l.port();
    }

    /** Runs a session on a connection accepted elsewhere (the port-443 router), already in TLS. */
    public void serve(P port, Transport transport) throws IOException {
        try (ConnectionLimiter.Permit permit = limiter.tryAcquire(transport.peer())) {
            if (permit == null) {
                transport.out().write(refusal);
                transport.out().flush();
                return;
            }
            AtomicInteger running = sessions.computeIfAbsent(port, p -> new AtomicInteger());
            running.incrementAndGet();
            try {
                session.run(port, transport);
            } finally {
                running.decrementAndGet();
            }
        }
    }

    private void serve(P port, Socket socket) throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, handshakeTimeout.toMillis()));
        TlsPolicy tlsPolicy = policy.apply(port);
        SocketTransport transport = port.implicitTls()
                ? new SocketTransport(tls.wrapAccepted(socket, tlsPolicy, null, List.of()), null)
                : new SocketTransport(socket, plain -> tls.startTls(plain, tlsPolicy));
        try {
            serve(port, transport);
        } finally {
            // JSSE's close would wait up to the read timeout for the peer's close_notify.
            TlsSockets.close(transport.socket());
            transport.close();
        }
    }

    /** Connections open now, across all services. */
    public int connections() {
        return limiter.current();
    }

    /** Sessions of one service running now (connections the cap let in). */
    public int connections(P port) {
        AtomicInteger running = sessions.get(port);
        return running == null ? 0 : running.get();
    }

    @Override
    public void close() {
        for (TcpListener l : listeners) {
            l.close();
        }
    }
}
