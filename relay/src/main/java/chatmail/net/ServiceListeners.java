package chatmail.net;

import chatmail.limits.Admission;
import chatmail.limits.ClientLimits;
import chatmail.metrics.ConnectionRefusal;
import chatmail.tls.TlsContexts;
import chatmail.tls.TlsPolicy;
import chatmail.tls.TlsSockets;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one protocol (IMAP, SMTP) for all its services. Each connection asks the
 * limits layer first (SEC-3); one it refuses gets the protocol's refusal line for the reason
 * and is closed, the others run a session on their own thread under their admission.
 *
 * @param <P> the protocol's services
 */
public final class ServiceListeners<P extends ServicePort> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceListeners.class);

    /** A protocol session on an established connection; the caller closes the transport. */
    @FunctionalInterface
    public interface Session<P> {
        void run(P port, Transport transport) throws IOException;
    }

    private final TlsContexts tls;
    private final ClientLimits limits;
    private final Function<ConnectionRefusal, byte[]> refusals;
    private final Duration handshakeTimeout;
    private final Function<P, TlsPolicy> policy;
    private final Session<P> session;
    private final List<TcpListener> listeners = new ArrayList<>();
    private final List<ClientFirstListener> clientFirst = new ArrayList<>();

    /**
     * @param refusals         what a refused client reads before the connection is closed
     * @param handshakeTimeout the read timeout until the session sets its own; it bounds the
     *                         implicit-TLS handshake, which runs on first use
     * @param policy           the TLS policy of each service
     */
    public ServiceListeners(TlsContexts tls, ClientLimits limits, Function<ConnectionRefusal, byte[]> refusals,
            Duration handshakeTimeout, Function<P, TlsPolicy> policy, Session<P> session) {
        this.tls = tls;
        this.limits = limits;
        this.refusals = refusals;
        this.handshakeTimeout = handshakeTimeout;
        this.policy = policy;
        this.session = session;
    }

    /** Starts listening for one service on one address; returns the bound port. */
    public int listen(P port, InetAddress address, int portNumber) throws IOException {
        if (port.implicitTls()) {
            ClientFirstListener l = new ClientFirstListener(port.serviceName(), address, portNumber,
                    (connection, busy, release) -> arrived(port, connection, busy, release));
            clientFirst.add(l);
            return l.port();
        }
        TcpListener l = new TcpListener(port.serviceName(), address, portNumber, (socket, busy) -> serve(port, socket, busy));
        listeners.add(l);
        return l.port();
    }

    /**
     * Runs a session on a connection accepted elsewhere (the port-443 router), already in TLS:
     * the client's address counts against this service's limits as if it had come here directly.
     */
    public void serve(P port, Transport transport) throws IOException {
        try (Admission admission = limits.admit(port.limitsService(), transport.peer())) {
            run(port, transport, admission);
        }
    }

    private void run(P port, Transport transport, Admission admission) throws IOException {
        if (!admission.admitted()) {
            transport.out().write(refusals.apply(admission.refusal().orElseThrow()));
            transport.out().flush();
            return;
        }
        admission.closeWith(transport::abort);
        transport.bind(admission);
        session.run(port, transport);
    }

    private void serve(P port, Socket socket, BusyMarker busy) throws IOException {
        TlsPolicy tlsPolicy = policy.apply(port);
        try (Admission admission = limits.admit(port.limitsService(), socket.getInetAddress())) {
            socket.setSoTimeout(firstTimeoutMillis(admission));
            SocketTransport transport = new SocketTransport(socket, plain -> tls.startTls(plain, tlsPolicy), socket, busy);
            runAndClose(port, transport, admission);
        }
    }

    /**
     * Until the session's own timeouts: at most to this connection's login deadline, which
     * ClientLimits spreads, so that a flood's silent connections, opened together, are not all
     * closed (and reopened) in the same instant.
     */
    private int firstTimeoutMillis(Admission admission) {
        long untilDeadline = admission.loginDeadline() == Long.MAX_VALUE ? limits.loginTimeout().toMillis()
                : Math.max(1, (admission.loginDeadline() - System.nanoTime()) / 1_000_000);
        return (int) Math.min(Integer.MAX_VALUE, Math.min(handshakeTimeout.toMillis(), untilDeadline));
    }

    /**
     * An implicit-TLS connection, on the accept thread: it is admitted (and counted, evictable,
     * under its deadline) now, but nothing of TLS or of the session, not even a thread, exists
     * until the client has sent its first byte: a silent connection (a flood, SEC-3) costs its
     * socket and its admission (docs/security.md). One that stays silent is closed without a
     * word when its first read would have timed out.
     */
    private void arrived(P port, ClientFirstConnection connection, BusyMarker busy, Runnable releaseConnection) {
        Socket socket = connection.channel().socket();
        Admission admission = limits.admit(port.limitsService(), socket.getInetAddress());
        Runnable release = () -> {
            admission.close();
            releaseConnection.run();
        };
        try {
            int timeout = firstTimeoutMillis(admission);
            admission.closeWith(connection::close);
            connection.awaitFirstByte(System.nanoTime() + timeout * 1_000_000L, port.serviceName() + "-conn",
                    () -> serveImplicitTls(port, socket, busy, admission, timeout, release), release);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            release.run();
        }
    }

    private void serveImplicitTls(P port, Socket socket, BusyMarker busy, Admission admission, int timeout, Runnable release) {
        try {
            socket.setSoTimeout(timeout);
            int first = socket.getInputStream().read();
            if (first < 0) {
                return;
            }
            SocketTransport transport = new SocketTransport(tls.wrapAccepted(socket, policy.apply(port),
                    new ByteArrayInputStream(new byte[] {(byte) first}), List.of()), null, socket, busy);
            runAndClose(port, transport, admission);
        } catch (Exception e) {
            // Connection-level failures (resets, TLS errors) are routine on the internet.
            log.debug("{}: connection ended: {}", port.serviceName(), e.toString());
        } finally {
            closeQuietly(socket);
            release.run();
        }
    }

    private void runAndClose(P port, SocketTransport transport, Admission admission) throws IOException {
        try {
            run(port, transport, admission);
        } finally {
            // JSSE's close would wait up to the read timeout for the peer's close_notify.
            TlsSockets.close(transport.socket());
            transport.close();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** Stops accepting and closes the connections waiting for their client ({@link BusyMarker}). */
    public void stopAccepting() {
        for (TcpListener l : listeners) {
            l.stopAccepting();
        }
        for (ClientFirstListener l : clientFirst) {
            l.stopAccepting();
        }
    }

    @Override
    public void close() {
        // All at once first: the commands being executed on each share one wait.
        stopAccepting();
        for (TcpListener l : listeners) {
            l.close();
        }
        for (ClientFirstListener l : clientFirst) {
            l.close();
        }
    }
}
