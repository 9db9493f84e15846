package chatmail.net;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.ServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections on a port where the client speaks first (implicit TLS) and hands each to
 * its handler on the accept thread, which admits it and lets it wait for its first byte without
 * a thread ({@link ClientFirstConnection#awaitFirstByte}).
 */
public final class ClientFirstListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClientFirstListener.class);

    /**
     * What a listener does with an accepted connection, on the accept thread: must not block.
     * It runs {@code release} once the connection is closed or someone else's.
     */
    @FunctionalInterface
    public interface Handler {
        void accepted(ClientFirstConnection connection, BusyMarker busy, Runnable release);
    }

    private final ServerSocketChannel server;
    private final Handler handler;
    private final AcceptLoop<ClientFirstConnection> accepting;

    public ClientFirstListener(String name, InetAddress address, int port, Handler handler) throws IOException {
        this.server = ClientFirstConnection.listen(address, port);
        this.handler = handler;
        this.accepting = new AcceptLoop<>(name, log, server, this::accept, this::accepted, false);
    }

    private void accepted(ClientFirstConnection connection, BusyMarker busy) {
        handler.accepted(connection, busy, () -> accepting.release(busy));
    }

    private ClientFirstConnection accept() throws IOException {
        return ClientFirstConnection.accept(server);
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    /** Stops accepting and closes the connections waiting for their client ({@link BusyMarker}). */
    public void stopAccepting() {
        accepting.stopAccepting();
    }

    @Override
    public void close() {
        accepting.close();
    }
}
