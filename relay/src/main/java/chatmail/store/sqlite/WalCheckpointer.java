package chatmail.store.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the WAL back into the database file on a thread and connection of its own. SQLite's
 * automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages, on the writer: that
 * commit then also writes those pages into the database file and fsyncs it, and every delivery
 * waiting for it waits longer. The writer's connection has the automatic checkpoint switched off
 * ({@code wal_autocheckpoint=0}); this thread runs a PASSIVE checkpoint (never waits for readers
 * or the writer) a few times a second.
 *
 * <p>A background checkpoint alone never lets the WAL start over while writes go on: SQLite
 * restarts it only once every frame is copied, and the writer keeps adding frames meanwhile (an
 * expiry of 50,000 messages left a 580 MB WAL). So once the WAL is past {@link #RESTART_FRAMES},
 * the writer itself runs a PASSIVE checkpoint between two batches ({@link #restartDue}), at most
 * every 100 ms: the frames are mostly copied by then, so it copies what its last commits added,
 * and since no frame can be added meanwhile, the copy is complete unless a read that began before
 * the last commit is still running; then the writer's next transaction starts the WAL over. It
 * never waits for readers (RESTART would, and one long read would then stall every delivery).
 */
final class WalCheckpointer {
    private static final Logger log = LoggerFactory.getLogger(WalCheckpointer.class);

    /** 16 MiB of 4 KiB pages. */
    static final long RESTART_FRAMES = 4096;
    private static final long RESTART_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Connection connection;
    private final long intervalNanos;
    private volatile long walFrames;
    private long lastRestart = System.nanoTime() - RESTART_SPACING_NANOS;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stop = lock.newCondition();
    private final Thread thread;
    private boolean stopping;

    WalCheckpointer(Connection connection, Duration interval) {
        this.connection = connection;
        this.intervalNanos = interval.toNanos();
        this.thread = Thread.ofPlatform().name("store-checkpoint").daemon(true).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (true) {
            lock.lock();
            try {
                long left = intervalNanos;
                while (!stopping && left > 0) {
                    left = stop.awaitNanos(left);
                }
                if (stopping) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            checkpoint();
        }
    }

    private void checkpoint() {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            r.next();
            walFrames = r.getLong(2);
        } catch (SQLException e) {
            // Busy or a transient failure: the WAL only grows until the next try.
            log.debug("WAL checkpoint failed: {}", e.getMessage());
        }
    }

    /**
     * Whether the writer should now run a checkpoint of its own (called by the writer thread only,
     * between batches): the WAL is past {@link #RESTART_FRAMES} and the last one is 100 ms ago.
     */
    boolean restartDue() {
        long now = System.nanoTime();
        if (walFrames < RESTART_FRAMES || now - lastRestart < RESTART_SPACING_NANOS) {
            return false;
        }
        lastRestart = now;
        walFrames = 0;
        return true;
    }

    /** Stops the thread and closes its connection. */
    void close() throws InterruptedException, SQLException {
        lock.lock();
        try {
            stopping = true;
            stop.signalAll();
        } finally {
            lock.unlock();
        }
        thread.join(TimeUnit.SECONDS.toMillis(30));
        connection.close();
    }
}
