package chatmail;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Gives back the heap that the start and the warm-up left behind, once the warm-up is done.
 *
 * <p>A start fills the heap with short-lived objects (TLS set-up, the schema check, Jetty, the
 * warm-up's handshakes and signatures), and G1 keeps the regions it grew to until a collection
 * shrinks it: with no load after the start, that is the periodic collection, 30 to 60 s later
 * ({@code G1PeriodicGCInterval} only counts from the last collection). Until then an idle relay's
 * heap was 24-26 MiB committed for 10 MiB live. One full collection two seconds after the warm-up
 * leaves 16 MiB committed (G1 sizes the heap by {@code MaxHeapFreeRatio} after it) and, with the
 * native heap trimmed within 5 s, idle RSS 5-10 MiB lower (docs/benchmarks.md, "Idle memory").
 *
 * <p>Only while little of the heap is in use: then the pause is short (22-40 ms measured for
 * 10 MiB live on two busy cores) and the relay is not yet busy. A relay whose clients came back
 * at once (a restart under load) has more in use; its heap is needed, a full collection would
 * stop it for longer, and G1's own collections size the heap there.
 */
final class StartUpGarbage {
    /**
     * After the warm-up, how long to wait: the first clients after a restart connect right after
     * ready, and the pause would fall on their handshakes.
     */
    static final Duration DELAY = Duration.ofSeconds(2);

    /** More in use than this, and the relay is busy: leave the heap to G1. */
    static final long MAX_USED_BYTES = 32L * 1024 * 1024;

    private final LongSupplier usedBytes;
    private final Runnable fullCollection;

    StartUpGarbage(LongSupplier usedBytes, Runnable fullCollection) {
        this.usedBytes = usedBytes;
        this.fullCollection = fullCollection;
    }

    /**
     * The running JVM's heap and collector. The heap in use from {@link Runtime}, not from
     * {@code java.lang.management}, whose classes an idle relay otherwise never loads.
     */
    static StartUpGarbage ofThisJvm() {
        Runtime runtime = Runtime.getRuntime();
        return new StartUpGarbage(() -> runtime.totalMemory() - runtime.freeMemory(), System::gc);
    }

    /**
     * Collects {@link #DELAY} after {@code warmUp} has ended, on a thread of its own, so that
     * whoever waits for the warm-up (the AOT training, tests) does not wait for the delay too.
     * Interrupting the returned thread (a stop) cancels it.
     */
    static Thread collectAfter(Thread warmUp) {
        return Thread.ofVirtual().name("start-up-garbage").start(() -> {
            try {
                warmUp.join();
                // Not at once: the first clients after a restart come right after ready, and their
                // handshakes would wait for the collection's pause.
                Thread.sleep(DELAY);
                ofThisJvm().collect();
            } catch (InterruptedException e) {
                // a stop: nothing to keep small
            }
        });
    }

    /** Collects when little is in use; true when it did. */
    boolean collect() {
        if (usedBytes.getAsLong() > MAX_USED_BYTES) {
            return false;
        }
        fullCollection.run();
        return true;
    }
}
