package chatmail.net;

import static chatmail.net.AcceptLoop.closeQuietly;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections on one address and port and runs each on its own virtual thread.
 * The handler owns the socket; TLS handshakes happen on the connection's thread, never on
 * the accept loop, so a slow client cannot stall others.
 */
public final class TcpListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpListener.class);

    /** What a listener does with an accepted connection. */
    @FunctionalInterface
    public interface Handler {
        /** {@code busy} is the connection's: its session marks the commands it executes there. */
        void handle(Socket socket, BusyMarker busy) throws Exception;
    }

    private final String name;
    private final ServerSocket server;
    private final Handler handler;
    private final AcceptLoop<Socket> accepting;

    public TcpListener(String name, InetAddress address, int port, Handler handler) throws IOException {
        this.name = name;
        this.handler = handler;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(address, port), ListenBacklog.SIZE);
        this.accepting = new AcceptLoop<>(name, log, server, this::accept, this::run);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Accepts that failed since start; each is followed by a growing pause, never a busy retry. */
    public long failedAccepts() {
        return accepting.failures();
    }

    public InetAddress address() {
        return server.getInetAddress();
    }

    private Socket accept() throws IOException {
        Socket s = server.accept();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
        } catch (SocketException e) {
            closeQuietly(s);
            return null;
        }
        return s;
    }

    private void run(Socket s, BusyMarker busy) {
        try {
            handler.handle(s, busy);
        } catch (Exception e) {
            // Connection-level failures (resets, TLS errors) are routine on the internet.
            log.debug("{}: connection ended: {}", name, e.toString());
        } finally {
            closeQuietly(s);
            accepting.release(busy);
        }
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
