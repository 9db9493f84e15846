package chatmail.net;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;

/**
 * The accept thread of a listening socket: each accepted connection runs on its own virtual
 * thread, so a slow client (a TLS handshake, a peek) cannot stall the others. Connections stay
 * registered until {@link #release released}, so that closing the listener also closes them:
 * those waiting for their client at once, those executing a command once they answered it
 * ({@link BusyMarker}).
 *
 * <p>When accepting fails (the process or the system is out of file descriptors: EMFILE,
 * ENFILE), the connection stays in the backlog and the next accept fails at once too; the loop
 * then waits, from {@link #FIRST_BACKOFF} doubling to {@link #MAX_BACKOFF}, instead of spinning
 * on a core, and says so once per episode (SEC-3).
 *
 * @param <C> an accepted connection (a {@code Socket} or a {@code SocketChannel})
 */
final class AcceptLoop<C extends AutoCloseable> {

    /** Waits for the next connection; returns null for one it dropped at once. */
    @FunctionalInterface
    interface Acceptor<C> {
        C accept() throws IOException;
    }

    static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private final String name;
    private final Logger log;
    private final AtomicLong failures = new AtomicLong();
    private final AutoCloseable server;
    private final Acceptor<C> acceptor;
    private final BiConsumer<C, BusyMarker> dispatch;
    private final OpenConnections open = new OpenConnections();
    private final Thread acceptThread;
    private volatile boolean closed;

    /**
     * Starts accepting; {@code handler} runs on the connection's thread and must release it.
     * Failures to accept go to the owner's {@code log}, under the owner's {@code name}.
     */
    AcceptLoop(String name, Logger log, AutoCloseable server, Acceptor<C> acceptor, BiConsumer<C, BusyMarker> handler) {
        this(name, log, server, acceptor, handler, true);
    }

    /**
     * With {@code onOwnThread} false, {@code handler} runs on the accept thread and must not
     * block: it decides when the connection gets a thread ({@link FirstByteWait}).
     */
    AcceptLoop(String name, Logger log, AutoCloseable server, Acceptor<C> acceptor, BiConsumer<C, BusyMarker> handler,
            boolean onOwnThread) {
        this.name = name;
        this.log = log;
        this.server = server;
        this.acceptor = acceptor;
        this.dispatch = onOwnThread ? (c, m) -> Thread.ofVirtual().name(name + "-conn").start(() -> handler.accept(c, m))
                : handler;
        this.acceptThread = Thread.ofPlatform().daemon().name(name + "-accept").start(this::run);
    }

    private void run() {
        Duration backoff = Duration.ZERO;
        while (!closed) {
            C connection;
            try {
                connection = acceptor.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                failures.incrementAndGet();
                if (backoff.isZero()) {
                    log.warn("{}: accept failed, backing off until it works again: {}", name, e.toString());
                    backoff = FIRST_BACKOFF;
                } else {
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException stop) {
                    return;
                }
                continue;
            }
            if (!backoff.isZero()) {
                log.info("{}: accepting again", name);
                backoff = Duration.ZERO;
            }
            if (connection == null) {
                continue;
            }
            BusyMarker marker = open.add(connection);
            dispatch.accept(connection, marker);
        }
    }

    /** Accepts that failed since start (out of file descriptors, mostly). */
    long failures() {
        return failures.get();
    }

    /** The connection is closed or owned by someone else now; closing the listener leaves it alone. */
    void release(BusyMarker connection) {
        open.release(connection);
    }

    /**
     * Stops accepting and closes every connection waiting for its client; those executing a
     * command go on until {@link #close}. The relay's stop calls this on every listener first.
     */
    void stopAccepting() {
        closed = true;
        closeQuietly(server);
        open.stop();
    }

    /**
     * Stops accepting, lets the connections executing a command answer it (up to
     * {@link StopGrace#DURATION} from the stop), and closes every connection not released.
     */
    void close() {
        stopAccepting();
        open.close(name, log);
        try {
            acceptThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing left to do
        }
    }
}
