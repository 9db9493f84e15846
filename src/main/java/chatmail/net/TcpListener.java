package chatmail.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
        void handle(Socket socket) throws Exception;
    }

    private final String name;
    private final ServerSocket server;
    private final Handler handler;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptThread;
    private volatile boolean closed;

    public TcpListener(String name, InetAddress address, int port, Handler handler) throws IOException {
        this.name = name;
        this.handler = handler;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(address, port), 1024);
        this.acceptThread = Thread.ofPlatform().daemon().name(name + "-accept").start(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetAddress address() {
        return server.getInetAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("{}: accept failed: {}", name, e.toString());
                }
                continue;
            }
            try {
                s.setTcpNoDelay(true);
                s.setKeepAlive(true);
            } catch (SocketException e) {
                closeQuietly(s);
                continue;
            }
            open.add(s);
            Thread.ofVirtual().name(name + "-conn").start(() -> run(s));
        }
    }

    private void run(Socket s) {
        try {
            handler.handle(s);
        } catch (Exception e) {
            // Connection-level failures (resets, TLS errors) are routine on the internet.
            log.debug("{}: connection ended: {}", name, e.toString());
        } finally {
            closeQuietly(s);
            open.remove(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Socket s : open) {
            closeQuietly(s);
        }
        try {
            acceptThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to do
        }
    }
}
