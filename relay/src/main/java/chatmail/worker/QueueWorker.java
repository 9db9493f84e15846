package chatmail.worker;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The background thread of a durable queue (outbound mail, push notifications). Between rounds it
 * sleeps until {@link #wakeUp() woken} by new work or until the next due time, so new work is
 * taken at once and a scheduled retry on time. A wake-up that comes while a round runs is kept,
 * so the next sleep returns at once instead of missing it.
 */
public final class QueueWorker {

    private static final long JOIN_MILLIS = 10_000;

    private final String threadName;
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wake = wakeLock.newCondition();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;

    public QueueWorker(String threadName) {
        this.threadName = threadName;
    }

    /** Starts {@code loop} on a virtual thread, unless it runs already. */
    public synchronized void start(Runnable loop) {
        if (running) {
            return;
        }
        running = true;
        thread = Thread.ofVirtual().name(threadName).start(loop);
    }

    /** False once {@link #stop()} was called: the loop should end. */
    public boolean running() {
        return running;
    }

    /** Makes the sleeping (or next) {@link #sleep} return now. */
    public void wakeUp() {
        wakeLock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    /**
     * Sleeps until woken, stopped, or {@code atMost} passed; with no {@code atMost}, until woken
     * or stopped. A negative {@code atMost} does not sleep.
     */
    public void sleep(Optional<Duration> atMost) throws InterruptedException {
        long nanos = atMost.map(d -> d.isNegative() ? 0 : saturatedNanos(d)).orElse(Long.MAX_VALUE);
        wakeLock.lock();
        try {
            while (!woken && running && nanos > 0) {
                nanos = nanos == Long.MAX_VALUE ? waitUntilSignalled() : wake.awaitNanos(nanos);
            }
            woken = false;
        } finally {
            wakeLock.unlock();
        }
    }

    private long waitUntilSignalled() throws InterruptedException {
        wake.await();
        return Long.MAX_VALUE;
    }

    /** Below {@code Long.MAX_VALUE}, which stands for "until woken". */
    private static long saturatedNanos(Duration d) {
        try {
            return Math.min(d.toNanos(), Long.MAX_VALUE - 1);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE - 1;
        }
    }

    /** Ends the loop: wakes and interrupts the thread and waits a while for it to finish its round. */
    public void stop() {
        running = false;
        wakeUp();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
