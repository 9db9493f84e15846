package chatmail.limits;

import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where SHA512-CRYPT runs (SPEC SEC-2): max(1, cores − 1) platform threads, so a login storm
 * leaves a core to delivery and everything else, and one client never holds more than one of
 * them (its second concurrent hash waits for its first, before it even queues). The queue is
 * first come, first served; since each client has at most one hash in it, that is one turn per
 * client. Callers are virtual threads and wait cheaply.
 */
public final class HashingPool implements AutoCloseable {

    private final ThreadPoolExecutor executor;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    private final AtomicLong computed = new AtomicLong();
    private final AtomicInteger waiting = new AtomicInteger();

    /** One client's turn: a fair lock, and how many of its logins want it now. */
    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }

    public HashingPool(int threads) {
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().daemon().name("password-hash-" + n.incrementAndGet()).unstarted(r));
        executor.allowCoreThreadTimeOut(true);
    }

    /** The pool for this machine: max(1, cores − 1) threads. */
    public static HashingPool forThisMachine() {
        return new HashingPool(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
    }

    /** Runs {@code hash} on the pool in {@code clientKey}'s one slot and returns its result. */
    public <T> T run(String clientKey, Callable<T> hash) {
        Slot slot = slots.compute(clientKey, (k, s) -> {
            Slot mine = s == null ? new Slot() : s;
            mine.users++;
            return mine;
        });
        try {
            slot.lock.lock();
            try {
                waiting.incrementAndGet();
                Future<T> result = executor.submit(() -> {
                    waiting.decrementAndGet();
                    try {
                        return hash.call();
                    } finally {
                        computed.incrementAndGet();
                    }
                });
                return await(result);
            } finally {
                slot.lock.unlock();
            }
        } finally {
            slots.computeIfPresent(clientKey, (k, s) -> --s.users == 0 ? null : s);
        }
    }

    private static <T> T await(Future<T> result) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    // The hash is running for this client's slot: finish it, then keep the interrupt.
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Hashes computed since start (SEC-2's "refused without hashing" is checked against it). */
    public long computed() {
        return computed.get();
    }

    /** Hashes queued and not yet started. */
    public int waiting() {
        return waiting.get();
    }

    public int threads() {
        return executor.getMaximumPoolSize();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
