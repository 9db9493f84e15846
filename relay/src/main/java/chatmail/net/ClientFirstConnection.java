package chatmail.net;

import static chatmail.net.AcceptLoop.closeQuietly;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * An accepted connection on a port where the client speaks first (implicit TLS, port 443). It
 * gets its thread only once its first byte is there ({@link FirstByteWait}); until then closing
 * it (a stop, the limits layer) goes through the wait, so that it is closed at once.
 */
public final class ClientFirstConnection implements AutoCloseable {

    private final SocketChannel channel;
    private volatile FirstByteWait.Waiting waiting;

    ClientFirstConnection(SocketChannel channel) {
        this.channel = channel;
    }

    public SocketChannel channel() {
        return channel;
    }

    /**
     * Waits without a thread until the first byte or {@code deadlineNanos}; then runs
     * {@code serve} on a virtual thread of its own, or {@code ended} (on the wait's thread, must
     * not block) when the connection was closed before it spoke. Call once, on the accept thread.
     */
    public void awaitFirstByte(long deadlineNanos, String threadName, Runnable serve, Runnable ended) throws IOException {
        channel.configureBlocking(false);
        waiting = FirstByteWait.shared().await(channel, deadlineNanos, new FirstByteWait.Client() {
            @Override
            public void readable() {
                Thread.ofVirtual().name(threadName).start(serve);
            }

            @Override
            public void ended() {
                ended.run();
            }
        });
    }

    /** Closes the connection from any thread: while it waits, through the wait (its {@code ended} follows). */
    @Override
    public void close() {
        FirstByteWait.Waiting w = waiting;
        if (w != null) {
            w.end();
        } else {
            closeQuietly(channel);
        }
    }
}
