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
 *
 * <p>Deliveries wait for that checkpoint, so the writer runs it only once the background thread
 * has caught up (at most {@link #CAUGHT_UP_FRAMES} left to copy), or when the WAL is past four
 * times the threshold anyway. Background writes (the expiry's) stop while the WAL is past
 * {@link #RESTART_FRAMES} and not copied back ({@link #walBehind}): deliveries alone let the background thread catch
 * up, and the writer's checkpoint then copies only their few pages.
 */
final class WalCheckpointer {
    private static final Logger log = LoggerFactory.getLogger(WalCheckpointer.class);

    /** 16 MiB of 4 KiB pages. */
    static final long RESTART_FRAMES = 4096;
    private static final long RESTART_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Connection connection;
    private final long intervalNanos;
    /** 1 MiB: what the writer's own checkpoint may have to copy, as far as the background thread saw. */
    static final long CAUGHT_UP_FRAMES = 256;

    /** The WAL's size at the last background checkpoint, in frames. */
    private volatile long walFrames;
    /** Frames that checkpoint left uncopied (a reader still needed them, or they came meanwhile). */
    private volatile long backlogFrames;
    /** Background checkpoints so far. */
    private volatile long checkpoints;
    private long checkpointsAtLastRestart = -1;
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
            checkpointed(r.getLong(2), r.getLong(3));
        } catch (SQLException e) {
            // Busy or a transient failure: the WAL only grows until the next try.
            log.debug("WAL checkpoint failed: {}", e.getMessage());
        }
    }

    /** What a background checkpoint found: the WAL's frames, and how many of them are copied back. */
    void checkpointed(long logFrames, long copiedFrames) {
        backlogFrames = Math.max(0, logFrames - copiedFrames);
        walFrames = logFrames;
        checkpoints++;
    }

    /**
     * Whether the writer should now run a checkpoint of its own (called by the writer thread only,
     * between batches): the WAL is past {@link #RESTART_FRAMES}, the background thread has caught
     * up (or the WAL is past four times that), a background checkpoint has run since the writer's
     * last one, and that was 100 ms ago.
     */
    boolean restartDue() {
        long now = System.nanoTime();
        long frames = walFrames;
        long seen = checkpoints;
        if (frames < RESTART_FRAMES || now - lastRestart < RESTART_SPACING_NANOS || seen == checkpointsAtLastRestart) {
            return false;
        }
        if (backlogFrames > CAUGHT_UP_FRAMES && frames < 4 * RESTART_FRAMES) {
            return false;
        }
        lastRestart = now;
        checkpointsAtLastRestart = seen;
        return true;
    }

    /**
     * Whether, at the last background checkpoint, the WAL was past {@link #RESTART_FRAMES} with
     * frames left to copy: background writes wait. Once all are copied, the next write starts
     * the WAL over, a background one too.
     */
    boolean walBehind() {
        return walFrames >= RESTART_FRAMES && backlogFrames > 0;
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
