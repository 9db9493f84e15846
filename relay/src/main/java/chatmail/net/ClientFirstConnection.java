package chatmail.net;

import static chatmail.net.AcceptLoop.closeQuietly;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
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

    /**
     * Opens a listening channel on the address and port with the shared listen queue; it is
     * closed again if the bind fails.
     */
    static ServerSocketChannel listen(InetAddress address, int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(address, port), ListenBacklog.SIZE);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The next connection on the server channel, or null when its options could not be set (then it is closed). */
    static ClientFirstConnection accept(ServerSocketChannel server) throws IOException {
        SocketChannel channel = server.accept();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        } catch (IOException e) {
            closeQuietly(channel);
            return null;
        }
        return new ClientFirstConnection(channel);
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
