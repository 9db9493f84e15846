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

/**
 * The listeners of one protocol (IMAP, SMTP) for all its services. Each connection asks the
 * limits layer first (SEC-3); one it refuses gets the protocol's refusal line for the reason
 * and is closed, the others run a session on their own thread under their admission.
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
    private final ClientLimits limits;
    private final Function<ConnectionRefusal, byte[]> refusals;
    private final Duration handshakeTimeout;
    private final Function<P, TlsPolicy> policy;
    private final Session<P> session;
    private final List<TcpListener> listeners = new ArrayList<>();

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
            // Until the session's own timeouts: at most to this connection's login deadline,
            // which ClientLimits spreads, so that a flood's silent connections, opened
            // together, are not all closed (and reopened) in the same instant.
            long untilDeadline = admission.loginDeadline() == Long.MAX_VALUE ? limits.loginTimeout().toMillis()
                    : Math.max(1, (admission.loginDeadline() - System.nanoTime()) / 1_000_000);
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.min(handshakeTimeout.toMillis(), untilDeadline)));
            SocketTransport transport;
            if (port.implicitTls()) {
                // Nothing of TLS or of the session exists until the client has sent its first
                // byte: a silent connection (a flood, SEC-3) costs its socket and a shallow
                // thread, not the TLS layer's and the session's buffers (docs/security.md).
                admission.closeWith(() -> closeQuietly(socket));
                int first = socket.getInputStream().read();
                if (first < 0) {
                    return;
                }
                transport = new SocketTransport(tls.wrapAccepted(socket, tlsPolicy,
                        new ByteArrayInputStream(new byte[] {(byte) first}), List.of()), null, socket, busy);
            } else {
                transport = new SocketTransport(socket, plain -> tls.startTls(plain, tlsPolicy), socket, busy);
            }
            try {
                run(port, transport, admission);
            } finally {
                // JSSE's close would wait up to the read timeout for the peer's close_notify.
                TlsSockets.close(transport.socket());
                transport.close();
            }
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
    }

    @Override
    public void close() {
        // All at once first: the commands being executed on each share one wait.
        stopAccepting();
        for (TcpListener l : listeners) {
            l.close();
        }
    }
}
