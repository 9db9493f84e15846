package chatmail.store.sqlite;

import chatmail.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/** Opens connections to the store's database file with the pragmas the store relies on. */
final class SqliteDatabase {
    static final String FILE_NAME = "chatmail.sqlite";

    private final String url;
    private final SqliteStoreSettings settings;

    SqliteDatabase(Path dataDir, SqliteStoreSettings settings) throws IOException {
        ensureNativeLibraryDirectory();
        createPrivately(dataDir);
        this.url = "jdbc:sqlite:" + dataDir.resolve(FILE_NAME).toAbsolutePath();
        this.settings = settings;
    }

    /**
     * The connection of the writer thread. WAL lets readers go on while it writes;
     * synchronous=FULL makes every COMMIT wait for the WAL fsync (see docs/decisions.md).
     */
    Connection openWriter() throws SQLException {
        Connection connection = open();
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            // Checkpoints are the WalCheckpointer's, off the writer's commits.
            statement.execute("PRAGMA wal_autocheckpoint=0");
            // A WAL that grew in a burst shrinks back to this when it starts over.
            statement.execute("PRAGMA journal_size_limit=" + 64 * 1024 * 1024);
        }
        return connection;
    }

    /** The connection of the background checkpoint thread. */
    Connection openCheckpointer() throws SQLException {
        return open();
    }

    /** A connection that refuses to write, for the reader threads. */
    Connection openReader() throws SQLException {
        Connection connection = open();
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA query_only=ON");
        }
        return connection;
    }

    /** Migrates the schema when this build carries a migration the database lacks; {@code connection} is open on it. */
    void migrate(Connection connection) {
        SchemaMigrations.migrate(url, connection);
    }

    /**
     * Creates the database file, empty and 0600, unless it exists: SQLite would create it with
     * the process's umask (0644 under systemd's default), and gives its -wal and -shm files the
     * main file's mode, so all three stay private (SEC-6).
     */
    static void createPrivately(Path dataDir) throws IOException {
        PrivateFiles.createFileIfAbsent(dataDir.resolve(FILE_NAME));
    }

    /**
     * sqlite-jdbc unpacks its native library into this directory on first use and fails with
     * an obscure "no native library" error when it is missing (as the test JVM's target/tmp).
     */
    static void ensureNativeLibraryDirectory() throws IOException {
        String dir = System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir"));
        if (dir != null && !dir.isEmpty()) {
            Files.createDirectories(Path.of(dir));
        }
    }

    private Connection open() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.enforceForeignKeys(true);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, settings.busyTimeout().toMillis()));
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        Connection connection = config.createConnection(url);
        ShortBusyWaits.install(connection, settings.busyTimeout());
        return connection;
    }
}
