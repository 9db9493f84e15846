package chatmail.store.sqlite;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the embedded store.
 *
 * @param readerThreads     platform threads (each with its own read connection) serving reads
 * @param busyTimeout       how long SQLite waits for a lock held by another process
 * @param operationTimeout  how long a caller waits for its read or write to be done
 * @param maxBatchSize      most write requests the writer puts into one transaction
 * @param yieldingWriteBudget SQL time after which a yielding deletion (the expiry's) stops, at the
 *     end of a statement: a delivery that arrives meanwhile waits for about this plus its commit
 */
public record SqliteStoreSettings(int readerThreads, Duration busyTimeout, Duration operationTimeout, int maxBatchSize,
                                  Duration yieldingWriteBudget) {

    public SqliteStoreSettings {
        if (readerThreads < 1) {
            throw new IllegalArgumentException("readerThreads must be at least 1");
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1");
        }
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        Objects.requireNonNull(operationTimeout, "operationTimeout");
        Objects.requireNonNull(yieldingWriteBudget, "yieldingWriteBudget");
    }

    public static SqliteStoreSettings defaults() {
        return new SqliteStoreSettings(3, Duration.ofSeconds(10), Duration.ofMinutes(2), 256, Duration.ofMillis(1));
    }

    public SqliteStoreSettings withOperationTimeout(Duration timeout) {
        return new SqliteStoreSettings(readerThreads, busyTimeout, timeout, maxBatchSize, yieldingWriteBudget);
    }

    public SqliteStoreSettings withReaderThreads(int threads) {
        return new SqliteStoreSettings(threads, busyTimeout, operationTimeout, maxBatchSize, yieldingWriteBudget);
    }

    public SqliteStoreSettings withYieldingWriteBudget(Duration budget) {
        return new SqliteStoreSettings(readerThreads, busyTimeout, operationTimeout, maxBatchSize, budget);
    }
}
