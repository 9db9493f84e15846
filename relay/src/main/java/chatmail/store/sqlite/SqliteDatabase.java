package chatmail.store.sqlite;

import chatmail.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
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
        }
        return connection;
    }

    /** A connection that refuses to write, for the reader threads. */
    Connection openReader() throws SQLException {
        Connection connection = open();
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA query_only=ON");
        }
        return connection;
    }

    void migrate() {
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration")
                .load()
                .migrate();
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
