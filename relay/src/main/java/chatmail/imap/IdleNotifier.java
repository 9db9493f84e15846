package chatmail.imap;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing half of IDLE: a virtual thread that sleeps until the store announces a change of
 * the selected mailbox (or the keep-alive interval passes), then reports it and flushes. It
 * writes under the session's output lock, so it never interleaves with the session's own
 * writes.
 */
final class IdleNotifier {
    private static final Logger log = LoggerFactory.getLogger(IdleNotifier.class);

    private final ImapSession session;
    private final long keepAliveNanos;
    /** When IDLE began: mail committed before it is a catch-up, not a push (DeliveryLatency). */
    private final long idleSince = System.nanoTime();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signal = lock.newCondition();
    private boolean woken;
    private boolean stopped;
    private Thread thread;

    IdleNotifier(ImapSession session, java.time.Duration keepAlive) {
        this.session = session;
        this.keepAliveNanos = keepAlive.toNanos();
    }

    void start() {
        thread = Thread.ofVirtual().name("imap-idle").start(this::loop);
    }

    /** A change may be waiting; safe to call from the store's thread (never blocks for long). */
    void wake() {
        lock.lock();
        try {
            woken = true;
            signal.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the thread and waits for it, so the session owns its output alone again. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            signal.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        long deadline = System.nanoTime() + keepAliveNanos;
        while (true) {
            boolean changed;
            lock.lock();
            try {
                while (!woken && !stopped) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        break;
                    }
                    signal.awaitNanos(remaining);
                }
                if (stopped) {
                    return;
                }
                changed = woken;
                woken = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (!write(changed)) {
                return;
            }
            deadline = System.nanoTime() + keepAliveNanos;
        }
    }

    /** Reports changes, or sends a keep-alive; false when the connection is broken. */
    private boolean write(boolean changed) {
        session.outputLock.lock();
        try {
            if (changed) {
                if (!session.selectedNeedsSync()) {
                    return true;
                }
                long mailbox = session.selectedMailboxId();
                session.syncSelected(true);
                session.out().flush();
                session.services().latency().toldIdle(mailbox, idleSince);
                return true;
            }
            session.out().untagged("OK Still here");
            session.out().flush();
            return true;
        } catch (IOException | RuntimeException e) {
            log.debug("IDLE notification failed: {}", e.toString());
            // Unblocks the session's read, which then ends the connection.
            session.transport().close();
            return false;
        } finally {
            session.outputLock.unlock();
        }
    }

}
