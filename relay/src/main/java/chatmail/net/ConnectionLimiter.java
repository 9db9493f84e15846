package chatmail.net;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps concurrent connections overall and per client address, so one host cannot take the
 * whole allowance. IPv6 clients are grouped by their /64, which one host usually controls.
 */
public final class ConnectionLimiter {

    private final int max;
    private final int perClient;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> byClient = new ConcurrentHashMap<>();

    public ConnectionLimiter(int max, int perClient) {
        this.max = max;
        this.perClient = Math.max(1, perClient);
    }

    /** A permit, or {@code null} when a limit is reached. Close the permit when the connection ends. */
    public Permit tryAcquire(InetAddress client) {
        String key = clientKey(client);
        if (total.incrementAndGet() > max) {
            total.decrementAndGet();
            return null;
        }
        AtomicInteger n = byClient.computeIfAbsent(key, k -> new AtomicInteger());
        if (n.incrementAndGet() > perClient) {
            release(key, n);
            return null;
        }
        return new Permit(key, n);
    }

    public int current() {
        return total.get();
    }

    private void release(String key, AtomicInteger n) {
        total.decrementAndGet();
        if (n.decrementAndGet() == 0) {
            byClient.remove(key, n);
            // A concurrent acquire may have incremented n after our check; it then holds a
            // counter no longer in the map, which only makes that client's limit looser once.
        }
    }

    static String clientKey(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            StringBuilder sb = new StringBuilder("v6:");
            for (int i = 0; i < 8; i++) sb.append(String.format("%02x", b[i]));
            return sb.toString();
        }
        return a.getHostAddress();
    }

    public final class Permit implements AutoCloseable {
        private final String key;
        private final AtomicInteger counter;
        private boolean released;

        private Permit(String key, AtomicInteger counter) {
            this.key = key;
            this.counter = counter;
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                release(key, counter);
            }
        }
    }
}
