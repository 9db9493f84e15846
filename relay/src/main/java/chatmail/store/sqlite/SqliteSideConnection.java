package chatmail.store.sqlite;

import chatmail.files.PrivateFiles;
import chatmail.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;

/**
 * One extra connection to the relay's database file ({@code <data_dir>/chatmail.sqlite}) beside the
 * mail store's, for a component that keeps its own few tables there (the outbound and push
 * queues). The connection lives on one platform thread: sqlite-jdbc is JNI and would pin the
 * virtual threads that call in. SQLite's busy timeout orders its writes with the mail store's.
 */
public final class SqliteSideConnection implements AutoCloseable {

    public static final String FILE_NAME = SqliteDatabase.FILE_NAME;

    /** Database work run on the connection's thread. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final ExecutorService thread;
    private final Connection connection;
    private final String purpose;

    private SqliteSideConnection(ExecutorService thread, Connection connection, String purpose) {
        this.thread = thread;
        this.connection = connection;
        this.purpose = purpose;
    }

    /**
     * Migrates the schema and opens the connection in WAL mode with foreign keys on.
     *
     * @param purpose    what the connection serves, as the failure messages name it ("push queue")
     * @param threadName the name of the connection's platform thread
     * @param tuning     the caller's durability and locking choices, applied before connecting
     */
    public static SqliteSideConnection open(Path dataDir, String purpose, String threadName, Consumer<SQLiteConfig> tuning) {
        String url = "jdbc:sqlite:" + dataDir.resolve(FILE_NAME).toAbsolutePath();
        ExecutorService thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(threadName).factory());
        try {
            PrivateFiles.createDirectories(dataDir);
            SqliteDatabase.createPrivately(dataDir);
            SqliteDatabase.ensureNativeLibraryDirectory();
            Connection connection = thread.submit(() -> {
                SQLiteConfig config = new SQLiteConfig();
                config.enforceForeignKeys(true);
                config.setBusyTimeout(30_000);
                tuning.accept(config);
                Connection c = config.createConnection(url);
                ShortBusyWaits.install(c, Duration.ofSeconds(30));
                try {
                    SchemaMigrations.migrate(url, c);
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA journal_mode=WAL");
                    }
                } catch (SQLException | RuntimeException e) {
                    c.close();
                    throw e;
                }
                return c;
            }).get();
            return new SqliteSideConnection(thread, connection, purpose);
        } catch (IOException e) {
            thread.shutdown();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            thread.shutdown();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the " + purpose, e);
        } catch (ExecutionException e) {
            thread.shutdown();
            throw new IllegalStateException("cannot open the " + purpose + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Runs the work on the connection's thread and waits for it. */
    public <T> T call(Work<T> work) {
        Future<T> future = thread.submit(() -> work.run(connection));
        try {
            return future.get();
        } catch (InterruptedException e) {
            // The caller is told it failed, so work that has not started yet must not happen later.
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while using the " + purpose, e);
        } catch (ExecutionException e) {
            // StoreException, as the mail store's failures: an SMTP session answers 451 4.3.0 to it.
            throw new StoreException(purpose + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Runs the work in one transaction on {@code c}, rolling back when it throws. */
    public static <T> T transaction(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    @Override
    public void close() {
        try {
            call(c -> {
                c.close();
                return null;
            });
        } finally {
            thread.shutdown();
        }
    }
}
