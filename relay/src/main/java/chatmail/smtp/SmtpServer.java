package chatmail.smtp;

import chatmail.metrics.ConnectionRefusal;
import chatmail.net.ServiceListeners;
import chatmail.net.Transport;
import chatmail.smtp.protocol.SmtpReply;
import chatmail.tls.TlsContexts;
import chatmail.tls.TlsPolicy;
import java.io.IOException;
import java.net.InetAddress;

/**
 * The SMTP listeners: MX on 25, submission on 587 and 465. Each connection runs an
 * {@link SmtpSession} on its own virtual thread, once the limits layer admitted it
 * ({@code max_smtp_connections} for port 25 and for submission each, SEC-3).
 */
public final class SmtpServer implements AutoCloseable {

    private static final byte[] TOO_MANY_CONNECTIONS =
            SmtpReply.of(421, "4.7.0", "Too many connections, try again later").toBytes();
    private static final byte[] TOO_MANY_FROM_CLIENT =
            SmtpReply.of(421, "4.7.0", "Too many connections from your address, try again later").toBytes();

    private final ServiceListeners<SmtpPort> listeners;

    public SmtpServer(SmtpServices services, TlsContexts tls) {
        // The command timeout bounds the implicit-TLS handshake too, which runs before the session sets its timeouts.
        this.listeners = new ServiceListeners<>(tls, services.limits(), SmtpServer::refusal,
                services.config().timeouts().smtpCommand(),
                port -> port == SmtpPort.MX ? TlsPolicy.MX : TlsPolicy.CLIENT,
                (port, transport) -> new SmtpSession(services, port, transport).run());
    }

    /** SEC-3: the limits layer's refusal in SMTP's words; the client may try again later. */
    private static byte[] refusal(ConnectionRefusal reason) {
        return switch (reason) {
            case CLIENT_CONNECTIONS, CLIENT_UNAUTHENTICATED -> TOO_MANY_FROM_CLIENT;
            default -> TOO_MANY_CONNECTIONS;
        };
    }

    /** Starts listening for one service on one address; returns the bound port. */
    public int listen(SmtpPort port, InetAddress address, int portNumber) throws IOException {
        return listeners.listen(port, address, portNumber);
    }

    /** Runs a session on a connection accepted elsewhere (the port-443 router), already in TLS. */
    public void serve(SmtpPort port, Transport transport) throws IOException {
        listeners.serve(port, transport);
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
