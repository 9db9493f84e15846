package chatmail.store.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.sqlite.BusyHandler;

/**
 * How a connection waits for the database's write lock while another connection of this
 * process holds it (the store's writer, the outbound and push queues share one file): a retry
 * every 100 µs at first, every 2 ms after a while, until the timeout. SQLite's own busy timeout
 * sleeps 1, 2, 5, 10, 15, 20, 25 ms... between tries, so a writer that met the queue's commit
 * (one fsync, about a millisecond) slept 8 ms or more before its own commit: most of the time a
 * submission for a remote recipient waited before its 250 (docs/benchmarks.md, federation).
 */
final class ShortBusyWaits extends BusyHandler {

    private final long timeoutNanos;
    private long firstBusy;

    private ShortBusyWaits(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** Replaces the connection's busy timeout (SQLite has one busy handler per connection). */
    static void install(Connection connection, Duration timeout) throws SQLException {
        BusyHandler.setHandler(connection, new ShortBusyWaits(timeout));
    }

    /** @param previous how often SQLite called this for the same lock before; 0 the first time */
    @Override
    protected int callback(int previous) {
        long now = System.nanoTime();
        if (previous == 0) {
            firstBusy = now;
        } else if (now - firstBusy >= timeoutNanos) {
            return 0; // give up: the statement fails with SQLITE_BUSY
        }
        LockSupport.parkNanos(previous < 100 ? 100_000L : 2_000_000L);
        return 1;
    }
}
