package chatmail.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a server's port to accept, which offers no event to wait on. */
final class Ports {
    private Ports() {}

    static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Polls every 2 ms until {@code host:port} accepts a TCP connection; false when {@code timeout}
     * passed or {@code alive} turned false first.
     */
    static boolean awaitAccepting(String host, int port, Duration timeout, BooleanSupplier alive) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (accepts(host, port)) {
                return true;
            }
            if (!alive.getAsBoolean()) {
                return false;
            }
            LockSupport.parkNanos(2_000_000L);
        }
        return false;
    }
}
