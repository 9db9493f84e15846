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
 */
public record SqliteStoreSettings(int readerThreads, Duration busyTimeout, Duration operationTimeout, int maxBatchSize) {

    public SqliteStoreSettings {
        if (readerThreads < 1) {
            throw new IllegalArgumentException("readerThreads must be at least 1");
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1");
        }
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        Objects.requireNonNull(operationTimeout, "operationTimeout");
    }

    public static SqliteStoreSettings defaults() {
        return new SqliteStoreSettings(3, Duration.ofSeconds(10), Duration.ofMinutes(2), 256);
    }

    public SqliteStoreSettings withOperationTimeout(Duration timeout) {
        return new SqliteStoreSettings(readerThreads, busyTimeout, timeout, maxBatchSize);
    }

    public SqliteStoreSettings withReaderThreads(int threads) {
        return new SqliteStoreSettings(threads, busyTimeout, operationTimeout, maxBatchSize);
    }
}
