package chatmail.imap;

import chatmail.metrics.ConnectionRefusal;
import chatmail.net.ServiceListeners;
import chatmail.net.Transport;
import chatmail.tls.TlsContexts;
import chatmail.tls.TlsPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * The IMAP listeners: 143 (STARTTLS) and 993 (implicit TLS), both TLS 1.3 only. Each connection
 * runs an {@link ImapSession} on its own virtual thread, once the limits layer admitted it
 * ({@code max_imap_connections} and its shares, SEC-3).
 */
public final class ImapServer implements AutoCloseable {

    private static final byte[] TOO_MANY_CONNECTIONS =
            "* BYE [UNAVAILABLE] Too many connections, try again later.\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TOO_MANY_FROM_CLIENT =
            "* BYE [UNAVAILABLE] Too many connections from your address, try again later.\r\n"
                    .getBytes(StandardCharsets.US_ASCII);

    private final ServiceListeners<ImapPort> listeners;
    private final ImapServices services;

    public ImapServer(ImapServices services, TlsContexts tls) {
        this.services = services;
        // The handshake of 993 runs on first use, under the before-login timeout.
        this.listeners = new ServiceListeners<>(tls, services.clientLimits(), ImapServer::refusal,
                services.limits().beforeLogin(), port -> TlsPolicy.CLIENT,
                (port, transport) -> new ImapSession(services, port, transport).run());
    }

    /** SEC-3: the limits layer's refusal in IMAP's words. */
    private static byte[] refusal(ConnectionRefusal reason) {
        return switch (reason) {
            case CLIENT_CONNECTIONS, CLIENT_UNAUTHENTICATED -> TOO_MANY_FROM_CLIENT;
            default -> TOO_MANY_CONNECTIONS;
        };
    }

    /** Starts listening for one service on one address; returns the bound port. */
    public int listen(ImapPort port, InetAddress address, int portNumber) throws IOException {
        return listeners.listen(port, address, portNumber);
    }

    /**
     * Runs a session on a connection accepted elsewhere (the port-443 router), already in TLS;
     * the caller closes the transport.
     */
    public void serve(ImapPort port, Transport transport) throws IOException {
        listeners.serve(port, transport);
    }

    /** Sessions in IDLE now. */
    public int idleSessions() {
        return services.idleSessions().current();
    }

    /**
     * Stops accepting and closes the connections waiting for their client; sessions executing
     * a command answer it first, until {@link #close} (up to 5 s from here).
     */
    public void stopAccepting() {
        listeners.stopAccepting();
    }

    @Override
    public void close() {
        listeners.close();
    }
}
