package chatmail.status;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's local admin endpoint (OPS-3): a unix domain socket {@code admin.sock} in
 * {@code data_dir}, never a network address. Mode 0600 inside the 0700 data directory: only
 * the relay's user (and root) can connect.
 *
 * <p>Protocol (docs/metrics.md): the client sends one line, {@code status}; the relay answers
 * with the {@link StatusReport} as UTF-8 lines and closes the connection. Any other request is
 * answered {@code error: unknown request} and closed. At most {@link #MAX_CLIENTS} clients are
 * served at once, each for at most {@link #TIMEOUT_MILLIS}.
 */
public final class AdminEndpoint implements AutoCloseable {

    public static final String SOCKET_NAME = "admin.sock";
    static final int MAX_CLIENTS = 4;
    static final int MAX_REQUEST = 256;
    static final long TIMEOUT_MILLIS = 10_000;

    private static final Logger log = LoggerFactory.getLogger(AdminEndpoint.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final Supplier<StatusReport> status;
    private final Semaphore clients = new Semaphore(MAX_CLIENTS);
    private final Thread acceptThread;
    private volatile boolean closed;

    private AdminEndpoint(Path path, ServerSocketChannel server, Supplier<StatusReport> status) {
        this.path = path;
        this.server = server;
        this.status = status;
        this.acceptThread = Thread.ofPlatform().daemon().name("admin-accept").start(this::acceptLoop);
    }

    public static Path socketPath(Path dataDir) {
        return dataDir.resolve(SOCKET_NAME);
    }

    /**
     * Listens on {@code <dataDir>/admin.sock}. A socket file left by a relay that died is
     * replaced; one that a running relay answers on means two relays share the data directory,
     * which is refused.
     */
    public static AdminEndpoint start(Path dataDir, Supplier<StatusReport> status) throws IOException {
        Path path = socketPath(dataDir);
        if (Files.exists(path)) {
            if (answers(path)) {
                throw new IOException("another relay is running with data_dir " + dataDir + " (it answers on " + path + ")");
            }
            Files.deleteIfExists(path);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 8);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new AdminEndpoint(path, server, status);
    }

    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException stale) {
            return false;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.warn("admin endpoint: accept failed: {}", e.toString());
                }
                continue;
            }
            if (!clients.tryAcquire()) {
                closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().name("admin").start(() -> {
                Thread watchdog = Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(TIMEOUT_MILLIS);
                        closeQuietly(client);
                    } catch (InterruptedException done) {
                        // answered in time
                    }
                });
                try {
                    serve(client);
                } catch (IOException e) {
                    log.debug("admin endpoint: client went away: {}", e.toString());
                } finally {
                    watchdog.interrupt();
                    closeQuietly(client);
                    clients.release();
                }
            });
        }
    }

    private void serve(SocketChannel client) throws IOException {
        String request = readLine(client);
        String answer = switch (request) {
            case "status" -> status.get().render();
            default -> "error: unknown request\n";
        };
        ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            client.write(out);
        }
    }

    /** One line of at most MAX_REQUEST bytes, without its line ending; what a client sends before LF. */
    private static String readLine(SocketChannel client) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
        while (in.hasRemaining()) {
            if (client.read(in) < 0) {
                break;
            }
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    return new String(in.array(), 0, i, StandardCharsets.UTF_8).strip();
                }
            }
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        try {
            acceptThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("admin endpoint: cannot remove {}: {}", path, e.toString());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing left to do
        }
    }
}
