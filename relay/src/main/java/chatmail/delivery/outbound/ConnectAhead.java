package chatmail.delivery.outbound;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Starts the way to a destination as soon as a submission names a recipient there, on a
 * virtual thread, so the message's first attempt after its commit finds the lookups answered
 * and a connection open or opening ({@link RemoteDelivery#connectAhead}). After a start, or
 * once the kept connection to a relay has idled out (20 s), the first message to it otherwise
 * waited for DNS and a TLS handshake after its commit; now both run beside the DATA, the commit
 * and the signature (docs/benchmarks.md, "Federation", "Fifth pass").
 *
 * <p>Bounded, since a client can name recipients without ever sending: one preparation per
 * domain at a time and at most {@link #MAX_IN_FLIGHT} at once (more are skipped; the attempt
 * then does the work as before), and a destination that already has a connection gets no
 * other. What it opens is what the message's attempt would open a moment later.
 */
public final class ConnectAhead {

    /** A destination's preparation: lookups and a connection. */
    @FunctionalInterface
    public interface Destination {
        void prepare(String domain);
    }

    /** Preparations running at once, at most: a client naming many domains cannot make more. */
    static final int MAX_IN_FLIGHT = 8;

    private final Destination destination;
    private final Semaphore slots = new Semaphore(MAX_IN_FLIGHT);
    private final Set<String> preparing = ConcurrentHashMap.newKeySet();

    public ConnectAhead(Destination destination) {
        this.destination = destination;
    }

    /**
     * A recipient at {@code domain} was named. Returns at once; false when nothing was started
     * (that domain is being prepared, or {@link #MAX_IN_FLIGHT} others are).
     */
    public boolean recipientAt(String domain) {
        if (!preparing.add(domain)) {
            return false;
        }
        if (!slots.tryAcquire()) {
            preparing.remove(domain);
            return false;
        }
        try {
            Thread.ofVirtual().name("connect-ahead").start(() -> {
                try {
                    destination.prepare(domain);
                } catch (RuntimeException e) {
                    // the attempt meets the same problem and reports it
                } finally {
                    preparing.remove(domain);
                    slots.release();
                }
            });
        } catch (RuntimeException e) {
            preparing.remove(domain);
            slots.release();
            return false;
        }
        return true;
    }
}
