package chatmail.net;

import static chatmail.net.AcceptLoop.closeQuietly;

import chatmail.limits.Admission;
import chatmail.limits.ClientLimits;
import chatmail.metrics.ConnectionService;
import chatmail.tls.TlsContexts;
import chatmail.tls.TlsPolicy;
import chatmail.tls.TlsSockets;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port-443 multiplexer (WEB-3): looks at the ALPN names in a client's TLS ClientHello
 * without answering it, and hands the connection to whoever serves that protocol. IMAP and
 * SMTP clients behind firewalls that only let HTTPS out reach the relay this way.
 *
 * <p>A protocol registered with {@link #route} is served in process: the router finishes the
 * handshake itself (TLS 1.3 only, the client-port policy, selecting exactly that ALPN name) and
 * runs the service on a {@link Transport} that knows the client's real address. Every other
 * connection (browsers, no ALPN, unknown names, not TLS at all) goes to the fallback together
 * with the bytes already read, so the HTTP server performs the one and only handshake.
 *
 * <p>Every connection asks the limits layer first, as port 443's (SEC-3); one it refuses is
 * closed at once, since nothing can be said to it before a TLS handshake, which would cost
 * what the limit is there to save. Connections routed to IMAP or SMTP leave port 443's count
 * and enter that service's, under the client's address; HTTPS connections stay in it.
 */
public final class AlpnRouter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AlpnRouter.class);

    /** A protocol served in process on an established TLS connection. */
    @FunctionalInterface
    public interface TlsService {
        void serve(Transport transport) throws Exception;
    }

    /**
     * Answers the TLS handshake of a connection itself, for a protocol that needs another
     * certificate than the relay's: ACME TLS-ALPN-01 (RFC 8737, ALPN {@code acme-tls/1}). It gets
     * the accepted socket and the bytes the router already read; the router closes the
     * connection when it returns.
     */
    @FunctionalInterface
    public interface HandshakeAnswer {
        void answer(Socket socket, InputStream alreadyRead) throws Exception;
    }

    /**
     * Takes over a connection the router does not keep. It owns the channel from then on and
     * must replay {@code alreadyRead} before anything it reads from the channel; it closes the
     * connection's admission when the connection ends, and may end it through the admission.
     */
    @FunctionalInterface
    public interface Fallback {
        void take(SocketChannel channel, byte[] alreadyRead, Admission admission) throws IOException;
    }

    /**
     * @param maxPeekBytes how much of the connection is read at most to find the ALPN extension;
     *     a longer ClientHello goes to the fallback
     * @param handshakeTimeout how long a client may take to send its ClientHello, and then to
     *     finish the handshake with an in-process service
     */
    public record Settings(int maxPeekBytes, Duration handshakeTimeout) {
        public static Settings defaults() {
            return new Settings(32 * 1024, Duration.ofSeconds(30));
        }
    }

    private final String name;
    private final TlsContexts tls;
    private final ClientLimits limits;
    private final Map<String, TlsService> services = new ConcurrentHashMap<>();
    private final Map<String, HandshakeAnswer> handshakeAnswers = new ConcurrentHashMap<>();
    private final Fallback fallback;
    private final Settings settings;
    private final ClientHelloPeek peek;
    private final ServerSocketChannel server;
    private final AcceptLoop<ClientFirstConnection> accepting;

    public AlpnRouter(String name, InetAddress address, int port, TlsContexts tls, ClientLimits limits,
            Fallback fallback, Settings settings) throws IOException {
        this.name = name;
        this.tls = tls;
        this.limits = limits;
        this.fallback = fallback;
        this.settings = settings;
        this.peek = new ClientHelloPeek(settings.maxPeekBytes());
        this.server = ClientFirstConnection.listen(address, port);
        this.accepting = new AcceptLoop<>(name, log, server, this::accept, this::arrived, false);
    }

    private ClientFirstConnection accept() throws IOException {
        return ClientFirstConnection.accept(server);
    }

    /**
     * Serves connections whose client offers {@code alpnName} in process. Adding a protocol is
     * one call, e.g. {@code route("imap", imapServer::serve)}; a later call replaces an earlier one.
     */
    public AlpnRouter route(String alpnName, TlsService service) {
        services.put(alpnName, service);
        return this;
    }

    /**
     * Lets {@code answer} perform the handshake of clients that offer {@code alpnName} and nothing
     * else (an ACME server validating TLS-ALPN-01 offers exactly {@code acme-tls/1}).
     */
    public AlpnRouter answerHandshake(String alpnName, HandshakeAnswer answer) {
        handshakeAnswers.put(alpnName, answer);
        return this;
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    /** The service for the first name the client offers that one is registered for. */
    Optional<String> choose(List<String> offered) {
        return offered.stream().filter(services::containsKey).findFirst();
    }

    /**
     * On the accept thread: the limits' decision first; an admitted connection waits for its
     * ClientHello's first byte without a thread (SEC-3's floods; {@link FirstByteWait}), for as
     * long as its first read could have.
     */
    private void arrived(ClientFirstConnection connection, BusyMarker busy) {
        SocketChannel channel = connection.channel();
        Admission admission = limits.admit(ConnectionService.HTTPS, channel.socket().getInetAddress());
        Runnable release = () -> {
            admission.close();
            accepting.release(busy);
        };
        try {
            if (admission.admitted()) {
                admission.closeWith(connection::close);
                connection.awaitFirstByte(System.nanoTime() + timeoutMillis() * 1_000_000L, name + "-conn",
                        () -> route(channel, busy, admission), release);
                return;
            }
        } catch (IOException | RuntimeException e) {
            log.debug("{}: connection ended: {}", name, e.toString());
        }
        closeQuietly(channel);
        release.run();
    }

    private void route(SocketChannel channel, BusyMarker busy, Admission admission) {
        boolean handedOver = false;
        try {
            channel.socket().setSoTimeout(timeoutMillis());
            ClientHelloPeek.Peeked peeked = peek.read(channel.socket().getInputStream());
            Optional<String> protocol = choose(peeked.alpn());
            HandshakeAnswer answer = peeked.alpn().size() == 1 ? handshakeAnswers.get(peeked.alpn().getFirst()) : null;
            if (answer != null) {
                answer.answer(channel.socket(), new ByteArrayInputStream(peeked.bytes()));
            } else if (protocol.isPresent()) {
                serveInProcess(channel, peeked.bytes(), protocol.get(), admission, busy);
            } else {
                channel.socket().setSoTimeout(0);
                accepting.release(busy);
                handedOver = true;
                // The web server's idle timeout governs from here; the connection stays port 443's.
                admission.deadlineOff();
                fallback.take(channel, peeked.bytes(), admission);
            }
        } catch (Exception e) {
            // Resets, timeouts and failed handshakes are routine on the internet; no addresses here.
            log.debug("{}: connection ended: {}", name, e.toString());
            if (handedOver) {
                admission.close();
                closeQuietly(channel);
            }
        } finally {
            if (!handedOver) {
                admission.close();
                accepting.release(busy);
                closeQuietly(channel);
            }
        }
    }

    private void serveInProcess(SocketChannel channel, byte[] alreadyRead, String protocol, Admission admission,
            BusyMarker busy) throws Exception {
        SSLSocket socket = tls.wrapAccepted(channel.socket(), TlsPolicy.CLIENT,
                new ByteArrayInputStream(alreadyRead), List.of(protocol));
        try {
            socket.startHandshake();
            // From here the service's limits apply, under the client's address (WEB-3).
            admission.close();
            try (Transport transport = new SocketTransport(socket, null, channel.socket(), busy)) {
                services.get(protocol).serve(transport);
            }
        } finally {
            TlsSockets.close(socket);
        }
    }

    private int timeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, settings.handshakeTimeout().toMillis());
    }

    /**
     * Stops accepting and closes the connections waiting for their client; IMAP and SMTP
     * sessions executing a command go on until {@link #close} (HTTPS ones are the web server's).
     */
    public void stopAccepting() {
        accepting.stopAccepting();
    }

    @Override
    public void close() {
        accepting.close();
    }
}
