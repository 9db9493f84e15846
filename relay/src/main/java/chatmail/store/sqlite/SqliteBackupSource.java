package chatmail.store.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.sqlite.SQLiteConfig;

/**
 * The embedded store as {@code chatmail backup} reads it, from a process of its own while the
 * relay may run (MIG-2): a hold that keeps released body files on disk, a consistent database
 * snapshot ({@code VACUUM INTO}, one read transaction), and the body files that snapshot
 * references. Nothing here migrates or otherwise changes the relay's schema.
 */
public final class SqliteBackupSource implements AutoCloseable {

    /** What a snapshot holds, for the manifest and for restore's check. */
    public record Snapshot(Path database, String schemaVersion, Map<String, Long> counts, List<String> bodyFiles) {
        public Snapshot {
            counts = Map.copyOf(counts);
            bodyFiles = List.copyOf(bodyFiles);
        }
    }

    private final Path dataDir;
    private final Connection connection;
    private long holdId;

    private SqliteBackupSource(Path dataDir, Connection connection) {
        this.dataDir = dataDir;
        this.connection = connection;
    }

    /** Connects to {@code <dataDir>/chatmail.sqlite}, which must exist at this schema or later. */
    public static SqliteBackupSource open(Path dataDir) throws IOException {
        Path file = dataDir.resolve(SqliteDatabase.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no store to back up");
        }
        SqliteDatabase.ensureNativeLibraryDirectory();
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setBusyTimeout(60_000);
            // Writes wait for the relay's writer instead of failing on a lock upgrade.
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            Connection connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = connection.createStatement();
                    ResultSet rows = s.executeQuery("SELECT 1 FROM sqlite_master WHERE name = 'backup_holds'")) {
                if (!rows.next()) {
                    connection.close();
                    throw new IOException(file + " predates backups; start the relay once to upgrade it");
                }
            }
            return new SqliteBackupSource(dataDir, connection);
        } catch (SQLException e) {
            throw new IOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Holds deletions of released body files for {@code lifetime}; {@link #renew} extends it. A
     * backup that dies stops holding when it runs out.
     */
    public void hold(Duration lifetime) throws IOException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO backup_holds (expires_at) VALUES (?) RETURNING id")) {
            insert.setLong(1, System.currentTimeMillis() + lifetime.toMillis());
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                holdId = rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IOException("cannot hold body files: " + e.getMessage(), e);
        }
    }

    public void renew(Duration lifetime) throws IOException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE backup_holds SET expires_at = ? WHERE id = ?")) {
            update.setLong(1, System.currentTimeMillis() + lifetime.toMillis());
            update.setLong(2, holdId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot renew the hold on body files: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a consistent copy of the database to {@code target} (which must not exist) and reads
     * what it holds. The copy leaves out the holds and deferred deletions: a restored relay has
     * neither; and the login verifiers, whose key the backup does not carry.
     */
    public Snapshot snapshot(Path target) throws IOException {
        try (PreparedStatement vacuum = connection.prepareStatement("VACUUM INTO ?")) {
            vacuum.setString(1, target.toAbsolutePath().toString());
            vacuum.execute();
        } catch (SQLException e) {
            throw new IOException("cannot snapshot the database: " + e.getMessage(), e);
        }
        try (Connection copy = new SQLiteConfig().createConnection("jdbc:sqlite:" + target.toAbsolutePath());
                Statement s = copy.createStatement()) {
            // One self-contained file for the archive: no WAL beside it.
            s.execute("PRAGMA journal_mode=DELETE");
            s.execute("DELETE FROM backup_holds");
            s.execute("DELETE FROM deferred_body_deletions");
            // Login verifiers are HMACs under data_dir/login_verifier_key, a per-node secret a
            // backup leaves out: without it they are useless, so they are not carried either.
            try (ResultSet verifiers = s.executeQuery("SELECT 1 FROM sqlite_master WHERE name = 'login_verifiers'")) {
                if (verifiers.next()) {
                    s.execute("DELETE FROM login_verifiers");
                }
            }
            Map<String, Long> counts = counts(s);
            String version;
            try (ResultSet rows = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success = 1"
                    + " AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")) {
                version = rows.next() ? rows.getString(1) : "0";
            }
            List<String> files = new ArrayList<>();
            try (ResultSet rows = s.executeQuery("SELECT file FROM bodies WHERE file IS NOT NULL ORDER BY file")) {
                while (rows.next()) {
                    String name = rows.getString(1);
                    files.add(BodyFiles.relativePath(name));
                }
            }
            return new Snapshot(target, version, counts, files);
        } catch (SQLException e) {
            throw new IOException("cannot read the snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * Lets go of the hold. When no other backup holds, the files released meanwhile are unlinked
     * now; returns how many.
     */
    public int release() throws IOException {
        List<String> files = new ArrayList<>();
        try {
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                s.execute("DELETE FROM backup_holds WHERE id = " + holdId);
                boolean othersHold;
                try (PreparedStatement live = connection.prepareStatement("SELECT 1 FROM backup_holds WHERE expires_at > ?")) {
                    live.setLong(1, System.currentTimeMillis());
                    try (ResultSet rows = live.executeQuery()) {
                        othersHold = rows.next();
                    }
                }
                if (!othersHold) {
                    try (ResultSet rows = s.executeQuery("SELECT file FROM deferred_body_deletions")) {
                        while (rows.next()) {
                            files.add(rows.getString(1));
                        }
                    }
                    s.execute("DELETE FROM deferred_body_deletions");
                    s.execute("DELETE FROM backup_holds");
                }
            }
            connection.commit();
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the hold runs out by itself
            }
            throw new IOException("cannot release the hold on body files: " + e.getMessage(), e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // closing soon
            }
        }
        int removed = 0;
        for (String name : files) {
            if (BodyFiles.isName(name) && Files.deleteIfExists(dataDir.resolve(BodyFiles.relativePath(name)))) {
                removed++;
            }
        }
        return removed;
    }

    /** The counts {@link Snapshot#counts()} holds, read from a data directory's database as it is. */
    public static Map<String, Long> counts(Path dataDir) throws IOException {
        Path file = dataDir.resolve(SqliteDatabase.FILE_NAME);
        SqliteDatabase.ensureNativeLibraryDirectory();
        try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + file.toAbsolutePath());
                Statement s = c.createStatement()) {
            return counts(s);
        } catch (SQLException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Long> counts(Statement s) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : List.of("accounts", "mailboxes", "messages", "bodies", "metadata")) {
            try (ResultSet rows = s.executeQuery("SELECT count(*) FROM " + table)) {
                rows.next();
                counts.put(table, rows.getLong(1));
            }
        }
        try (ResultSet rows = s.executeQuery("SELECT coalesce(sum(size), 0) FROM messages")) {
            rows.next();
            counts.put("message_bytes", rows.getLong(1));
        }
        try (ResultSet rows = s.executeQuery("SELECT count(*) FROM bodies WHERE file IS NOT NULL")) {
            rows.next();
            counts.put("body_files", rows.getLong(1));
        }
        return counts;
    }

    /** The newest schema version this program's migrations know, to refuse a backup from a newer relay. */
    public static String knownSchemaVersion() {
        try {
            SqliteDatabase.ensureNativeLibraryDirectory();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        MigrationInfo[] all = Flyway.configure().dataSource("jdbc:sqlite::memory:", null, null)
                .locations("classpath:db/migration").load().info().all();
        String newest = "0";
        for (MigrationInfo m : all) {
            if (m.getVersion() != null && compareVersions(m.getVersion().getVersion(), newest) > 0) {
                newest = m.getVersion().getVersion();
            }
        }
        return newest;
    }

    /** Compares dotted version numbers numerically ("10" after "9"). */
    public static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? Long.parseLong(x[i]) : 0;
            long q = i < y.length ? Long.parseLong(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
