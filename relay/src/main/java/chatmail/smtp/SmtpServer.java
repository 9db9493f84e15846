package chatmail.smtp;

import chatmail.net.ServiceListeners;
import chatmail.net.Transport;
import chatmail.smtp.protocol.SmtpReply;
import chatmail.tls.TlsContexts;
import chatmail.tls.TlsPolicy;
import java.io.IOException;
import java.net.InetAddress;

/**
 * The SMTP listeners: MX on 25, submission on 587 and 465. Each connection runs an
 * {@link SmtpSession} on its own virtual thread; {@code max_smtp_connections} caps them all,
 * a fifth of it per client.
 */
public final class SmtpServer implements AutoCloseable {

    private static final byte[] TOO_MANY_CONNECTIONS =
            SmtpReply.of(421, "4.7.0", "Too many connections, try again later").toBytes();

    private final ServiceListeners<SmtpPort> listeners;

    public SmtpServer(SmtpServices services, TlsContexts tls) {
        // The command timeout bounds the implicit-TLS handshake too, which runs before the session sets its timeouts.
        this.listeners = new ServiceListeners<>(tls, services.config().maxSmtpConnections(), TOO_MANY_CONNECTIONS,
                services.config().timeouts().smtpCommand(),
                port -> port == SmtpPort.MX ? TlsPolicy.MX : TlsPolicy.CLIENT,
                (port, transport) -> new SmtpSession(services, port, transport).run());
    }

    /** Starts listening for one service on one address; returns the bound port. */
    public int listen(SmtpPort port, InetAddress address, int portNumber) throws IOException {
        return listeners.listen(port, address, portNumber);
    }

    /** Runs a session on a connection accepted elsewhere (the port-443 router), already in TLS. */
    public void serve(SmtpPort port, Transport transport) throws IOException {
        listeners.serve(port, transport);
    }

    public int connections() {
        return listeners.connections();
    }

    /** Sessions of one service running now. */
    public int connections(SmtpPort port) {
        return listeners.connections(port);
    }

    @Override
    public void close() {
        listeners.close();
    }
}
