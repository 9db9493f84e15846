package chatmail.net;

import static chatmail.net.AcceptLoop.closeQuietly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the connections of ports where the client speaks first (implicit TLS, port 443) on one
 * selector until their first byte, so that a silent connection has no thread: a flood's
 * connection (SEC-3) costs its socket and a few small objects, not a virtual thread parked in
 * its read, whose stack chunk was most of what the flood held (docs/security.md, "RSS flat under
 * attack: no thread before the first byte"). A connection leaves the wait exactly once: readable (its first byte or its EOF is
 * there; {@link Client#readable} starts its thread), or ended (its deadline passed, or
 * {@link Waiting#end} from the limits layer or a stop; the channel is closed, then
 * {@link Client#ended}). Both run on the selector's thread and must not block.
 */
public final class FirstByteWait implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FirstByteWait.class);

    /** What becomes of a waiting connection; called once, on the selector's thread. */
    public interface Client {
        /** The first byte (or EOF) is there; the channel is back in blocking mode. */
        void readable();

        /** The connection was closed before it spoke. */
        void ended();
    }

    private static final int WAITING = 0;
    private static final int READABLE = 1;
    private static final int ENDED = 2;
    // A field and a VarHandle rather than an AtomicInteger: one object less per connection (SEC-3's floods).
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiting.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One connection in the wait; {@link #end} may be called from any thread, at any time. */
    public final class Waiting implements AutoCloseable {
        private final SocketChannel channel;
        private final long deadlineNanos;
        private final long number;
        private volatile int state = WAITING;
        private Client client;
        private SelectionKey key;

        private Waiting(SocketChannel channel, long deadlineNanos, long number, Client client) {
            this.channel = channel;
            this.deadlineNanos = deadlineNanos;
            this.number = number;
            this.client = client;
        }

        private boolean leave(int to) {
            return STATE.compareAndSet(this, WAITING, to);
        }

        /**
         * Closes the connection: still waiting, through the selector (its client's
         * {@link Client#ended} follows); already readable, at once (its thread sees the close).
         */
        public void end() {
            if (leave(ENDED)) {
                ending.add(this);
                selector.wakeup();
            } else {
                closeQuietly(channel);
            }
        }

        @Override
        public void close() {
            end();
        }
    }

    private final Selector selector;
    private final ConcurrentLinkedQueue<Waiting> arriving = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Waiting> ending = new ConcurrentLinkedQueue<>();
    // The selector's thread only: the waiting connections by deadline.
    private final TreeSet<Waiting> deadlines = new TreeSet<>(
            Comparator.<Waiting>comparingLong(w -> w.deadlineNanos).thenComparingLong(w -> w.number));
    private final AtomicLong numbers = new AtomicLong();
    private final List<Waiting> ready = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    /** The process's one wait, for every listener of every relay in it; started on first use. */
    public static FirstByteWait shared() {
        return Shared.INSTANCE;
    }

    private static final class Shared {
        static final FirstByteWait INSTANCE = new FirstByteWait("first-byte-wait");
    }

    FirstByteWait(String name) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    /**
     * Waits for the first byte of {@code channel} until {@code deadlineNanos} ({@link System#nanoTime}).
     * The caller has put the channel in non-blocking mode and keeps the returned handle to end it.
     */
    public Waiting await(SocketChannel channel, long deadlineNanos, Client client) {
        Waiting w = new Waiting(channel, deadlineNanos, numbers.getAndIncrement(), client);
        arriving.add(w);
        selector.wakeup();
        if (closed) {
            w.end();
        }
        return w;
    }

    private void run() {
        try {
            while (!closed) {
                long timeout = nextTimeoutMillis();
                if (timeout < 0) {
                    selector.selectNow();
                } else {
                    selector.select(timeout);
                }
                collectReadable();
                expire();
                startReadable();
                // After the hand-over: its selection swallows a wake-up, so an arrival or an end
                // asked for before it would otherwise wait for some other event (lost for 15 s
                // once, an ACME server's validation). One asked for after these two polls has
                // its wake-up pending, and the next select returns at once.
                register();
                endRequested();
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.error("first-byte wait failed, closing the connections waiting in it: {}", e.toString());
            }
        } finally {
            closed = true;
            endAll();
        }
    }

    /** Milliseconds until the next deadline; 0 (none) means no timeout, -1 one already due. */
    private long nextTimeoutMillis() {
        if (deadlines.isEmpty()) {
            return 0;
        }
        Waiting next = deadlines.first();
        long nanos = next.deadlineNanos - System.nanoTime();
        return nanos <= 0 ? -1 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    private void register() {
        Waiting w;
        while ((w = arriving.poll()) != null) {
            if (w.state != WAITING) {
                continue; // ended before it got here: the ending queue has it
            }
            try {
                w.key = w.channel.register(selector, SelectionKey.OP_READ, w);
                deadlines.add(w);
            } catch (ClosedChannelException | RuntimeException e) {
                if (w.leave(ENDED)) {
                    finish(w);
                }
            }
        }
    }

    private void endRequested() {
        Waiting w;
        while ((w = ending.poll()) != null) {
            finish(w);
        }
    }

    private void collectReadable() {
        for (SelectionKey key : selector.selectedKeys()) {
            Waiting w = (Waiting) key.attachment();
            key.cancel();
            if (w.leave(READABLE)) {
                deadlines.remove(w);
                ready.add(w);
            }
        }
        selector.selectedKeys().clear();
    }

    private void expire() {
        long now = System.nanoTime();
        while (!deadlines.isEmpty() && deadlines.first().deadlineNanos - now <= 0) {
            Waiting w = deadlines.pollFirst();
            if (w.leave(ENDED)) {
                finish(w);
            }
        }
    }

    private void startReadable() throws IOException {
        if (ready.isEmpty()) {
            return;
        }
        // A cancelled key leaves its channel registered (and non-blocking) until the next selection.
        selector.selectNow();
        for (Waiting w : ready) {
            Client client = w.client;
            w.client = null;
            try {
                w.channel.configureBlocking(true);
                client.readable();
            } catch (IOException | RuntimeException e) {
                closeQuietly(w.channel);
                client.ended();
            }
        }
        ready.clear();
    }

    private void finish(Waiting w) {
        deadlines.remove(w);
        if (w.key != null) {
            w.key.cancel();
        }
        closeQuietly(w.channel);
        Client client = w.client;
        w.client = null;
        if (client != null) {
            client.ended();
        }
    }

    private void endAll() {
        for (SelectionKey key : selector.keys()) {
            Waiting w = (Waiting) key.attachment();
            if (w.leave(ENDED)) {
                finish(w);
            }
        }
        Waiting w;
        while ((w = arriving.poll()) != null) {
            if (w.leave(ENDED)) {
                finish(w);
            }
        }
        while ((w = ending.poll()) != null) {
            finish(w);
        }
        closeQuietly(selector);
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
