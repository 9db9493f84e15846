package chatmail.delivery.outbound;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs delivery attempts per destination (SEC-5): each destination (recipient domain) has its
 * own queue of attempts and at most {@code perDestination} workers taking from it, and at most
 * {@code overall} attempts run at once over all destinations. A destination that is slow, dead
 * or tarpitting fills only its own workers; its waiting attempts wait in its own queue and
 * never take a slot from another destination, so other mail goes on.
 *
 * <p>A destination is known only while it has work: when its last worker finds its queue empty
 * it is forgotten, so the map holds the destinations in flight, not every domain ever seen.
 */
final class DestinationWorkers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DestinationWorkers.class);

    private final int perDestination;
    private final Duration shutdownGrace;
    private final Semaphore overall;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Destination> destinations = new HashMap<>();
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("outbound-", 0).factory());
    private boolean closed;

    /** An attempt and what to do once it ran (or will not run), after its destination's bookkeeping. */
    private record Job(Runnable attempt, Runnable settled) {}

    /** One destination's waiting attempts, the workers taking from them and the attempts running. */
    private static final class Destination {
        final ArrayDeque<Job> waiting = new ArrayDeque<>();
        int workers;
        int running;
    }

    /**
     * @param shutdownGrace how long {@link #close()} lets running attempts end on their own
     *     before it interrupts them
     */
    DestinationWorkers(int overall, int perDestination, Duration shutdownGrace) {
        if (overall < 1 || perDestination < 1) {
            throw new IllegalArgumentException("concurrency limits must be at least 1");
        }
        this.overall = new Semaphore(overall, true);
        this.perDestination = perDestination;
        this.shutdownGrace = shutdownGrace;
    }

    /**
     * Queues an attempt for a destination; it runs when the destination has a free worker and
     * an overall slot is free. {@code settled} runs after it, once the destination's bookkeeping
     * is done (a destination left without work is already forgotten then); also when closing
     * drops the attempt unrun. Returns false when closed: nothing will run either.
     */
    boolean submit(String destination, Runnable attempt, Runnable settled) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            Destination d = destinations.computeIfAbsent(destination, k -> new Destination());
            d.waiting.add(new Job(attempt, settled));
            if (d.workers < perDestination) {
                d.workers++;
                threads.execute(() -> work(destination, d));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void work(String key, Destination d) {
        Job job = take(key, d, false);
        while (job != null) {
            boolean stopping = false;
            VirtualMachineError fatal = null;
            try {
                overall.acquire();
                try {
                    job.attempt().run();
                } finally {
                    overall.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            } catch (VirtualMachineError e) {
                fatal = e;
            } catch (Exception | Error e) {
                // Whatever an attempt throws, the destination's bookkeeping below must happen:
                // a worker lost without it would leave the destination's later mail unsent.
                log.error("outbound attempt failed unexpectedly", e);
            }
            // The next job is taken (or the destination forgotten) before this one counts as settled.
            Job following = stopping || fatal != null ? quit(key, d) : take(key, d, true);
            try {
                job.settled().run();
            } catch (RuntimeException e) {
                log.error("settling an outbound attempt failed", e);
            }
            if (fatal != null) {
                throw fatal;
            }
            job = following;
        }
    }

    /**
     * The destination's next job for this worker; null when there is none, and the worker
     * leaves. {@code finishedOne}: the worker's previous job ended.
     */
    private Job take(String key, Destination d, boolean finishedOne) {
        lock.lock();
        try {
            if (finishedOne) {
                d.running--;
            }
            Job job = closed ? null : d.waiting.poll();
            if (job != null) {
                d.running++;
                return job;
            }
            d.workers--;
            forgetIfIdle(key, d);
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** This worker stops after its job ended (stopping, or a fatal error); work left keeps a worker. */
    private Job quit(String key, Destination d) {
        lock.lock();
        try {
            d.running--;
            d.workers--;
            if (d.workers == 0 && !d.waiting.isEmpty() && !closed) {
                d.workers++;
                threads.execute(() -> work(key, d));
            }
            forgetIfIdle(key, d);
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets a destination with nothing waiting and nothing running, even while a worker that
     * never got a job is still on its way out (it only touches this object, not a newer one).
     */
    private void forgetIfIdle(String key, Destination d) {
        if (d.running == 0 && d.waiting.isEmpty()) {
            destinations.remove(key, d);
        }
    }

    /** Destinations with work waiting or running. */
    int destinations() {
        lock.lock();
        try {
            return destinations.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking attempts, settles the waiting ones unrun, lets the running ones end within the
     * shutdown grace and then interrupts what still runs. An attempt interrupted after the
     * receiving server took the message but before its entry left the queue sends the message
     * again after the restart: mostly an answer is only milliseconds away, worth waiting for.
     */
    @Override
    public void close() {
        List<Job> dropped = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            destinations.values().forEach(d -> dropped.addAll(d.waiting));
            destinations.values().forEach(d -> d.waiting.clear());
        } finally {
            lock.unlock();
        }
        dropped.forEach(job -> job.settled().run());
        threads.shutdown();
        try {
            if (!threads.awaitTermination(shutdownGrace.toNanos(), TimeUnit.NANOSECONDS)) {
                threads.shutdownNow();
                threads.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
