package chatmail.net;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;

/**
 * The connections a listener accepted and has not released, each with its {@link BusyMarker}.
 * A stop closes those waiting for their client at once and gives those executing a command up
 * to {@link StopGrace#DURATION} to write the reply; it waits on a condition their sessions signal, so a
 * stop with nothing busy takes no time at all.
 */
final class OpenConnections {

    static final OpenConnections NEVER_STOPPED = new OpenConnections();

    private final Set<BusyMarker> open = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean stopping;
    private long deadline;

    /** Registers an accepted connection; after a stop it is closed at once. */
    BusyMarker add(AutoCloseable connection) {
        BusyMarker marker = new BusyMarker(this, connection);
        open.add(marker);
        if (stopping) {
            marker.closeIfIdle();
        }
        return marker;
    }

    void release(BusyMarker marker) {
        open.remove(marker);
        marker.released();
    }

    boolean stopping() {
        return stopping;
    }

    /** Closes every connection not executing a command; the others close when their reply is out. */
    void stop() {
        lock.lock();
        try {
            if (stopping) {
                return;
            }
            deadline = System.nanoTime() + StopGrace.DURATION.toNanos();
            stopping = true;
        } finally {
            lock.unlock();
        }
        for (BusyMarker m : open) {
            m.closeIfIdle();
        }
    }

    /**
     * Stops (if not yet), waits until the connections executing a command have answered or the
     * stop's wait is over, and closes whatever is left.
     */
    void close(String name, Logger log) {
        stop();
        List<BusyMarker> busy = open.stream().filter(m -> !m.closeIfIdle()).toList();
        if (!busy.isEmpty()) {
            log.info("{}: stopping, waiting up to {} s for {} commands being answered", name, StopGrace.DURATION.toSeconds(),
                    busy.size());
            lock.lock();
            try {
                long left = deadline - System.nanoTime();
                while (left > 0 && !busy.stream().allMatch(BusyMarker::closed)) {
                    left = changed.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }
        for (BusyMarker m : open) {
            m.close();
        }
    }

    /** A marker was closed or released: a waiting stop looks again. */
    void changed() {
        if (!stopping) {
            return;
        }
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
