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
 * expiry of 50,000 messages left a 580 MB WAL; with a few hundred commits a second, a background
 * checkpoint almost never ends with nothing left). So the writer itself runs a PASSIVE checkpoint
 * between two batches once the WAL is past {@link #RESTART_FRAMES} ({@link #restartDue}): no
 * frame can be added meanwhile, so the copy is complete unless a read that began before the last
 * commit is still running, and then the writer's next transaction starts the WAL over. It never
 * waits for readers (RESTART would, and one long read would then stall every delivery).
 *
 * <p>Deliveries wait for that checkpoint. From the moment the WAL passes {@link #RESTART_FRAMES}
 * until it starts over, background writes (the expiry's) wait ({@link #walBehind}) and this
 * thread looks every {@link #BEHIND_INTERVAL}, so it catches up with the expiry's frames while
 * deliveries add few, and no expiry write runs just before the writer's checkpoint; the writer
 * runs it as soon as the background thread has left at most {@link #CAUGHT_UP_FRAMES} (or the WAL
 * is past four times the threshold anyway). Even so it takes 18-30 ms at 500,000 accounts, mostly
 * the database file's fsync, so how often deliveries meet it is set by how fast the expiry fills
 * the WAL (docs/benchmarks.md, "The writer's checkpoint and the expiry's pace").
 */
final class WalCheckpointer {
    private static final Logger log = LoggerFactory.getLogger(WalCheckpointer.class);

    /** 16 MiB of 4 KiB pages. */
    static final long RESTART_FRAMES = 4096;
    /** Between two of the writer's checkpoints when it cannot wait for the background thread (past four times the threshold). */
    private static final long RESTART_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How often this thread checkpoints while the WAL waits to start over: each look lets the writer's copy be smaller. */
    static final Duration BEHIND_INTERVAL = Duration.ofMillis(10);

    /** The background thread's name (tests find its system-call trace by it). */
    static final String THREAD_NAME = "store-checkpoint";

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
        this.thread = Thread.ofPlatform().name(THREAD_NAME).daemon(true).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (true) {
            lock.lock();
            try {
                long left = nextInterval().toNanos();
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

    /** The wait before the next background checkpoint: short while background writes wait for the WAL to start over. */
    Duration nextInterval() {
        return walBehind() ? BEHIND_INTERVAL : Duration.ofNanos(intervalNanos);
    }

    /** What a background checkpoint found: the WAL's frames, and how many of them are copied back. */
    void checkpointed(long logFrames, long copiedFrames) {
        backlogFrames = Math.max(0, logFrames - copiedFrames);
        walFrames = logFrames;
        checkpoints++;
    }

    /**
     * Whether the writer should now run a checkpoint of its own (called by the writer thread only,
     * between batches): the WAL is past {@link #RESTART_FRAMES}, a background checkpoint has run
     * since the writer's last one, and it left at most {@link #CAUGHT_UP_FRAMES} to copy; past four
     * times the threshold the writer does not wait for the background thread, but checkpoints at
     * most every 100 ms.
     */
    boolean restartDue() {
        long now = System.nanoTime();
        long frames = walFrames;
        long seen = checkpoints;
        if (frames < RESTART_FRAMES || seen == checkpointsAtLastRestart) {
            return false;
        }
        if (backlogFrames > CAUGHT_UP_FRAMES
                && (frames < 4 * RESTART_FRAMES || now - lastRestart < RESTART_SPACING_NANOS)) {
            return false;
        }
        lastRestart = now;
        checkpointsAtLastRestart = seen;
        return true;
    }

    /**
     * What the writer's own checkpoint found: when it copied every frame, the writer's next
     * transaction starts the WAL over, so background writes need not wait for a background
     * checkpoint to see that.
     */
    void writerCheckpointed(long logFrames, long copiedFrames) {
        if (logFrames >= 0 && copiedFrames == logFrames) {
            backlogFrames = 0;
            walFrames = 0;
        }
    }

    /**
     * Whether background writes wait: the WAL was past {@link #RESTART_FRAMES} at the last
     * checkpoint and has not started over since. Each of their writes adds hundreds of frames,
     * which the writer's checkpoint would otherwise have to copy while deliveries wait.
     */
    boolean walBehind() {
        return walFrames >= RESTART_FRAMES;
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
