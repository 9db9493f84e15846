package chatmail.storage;

import chatmail.store.postgresql.PostgresDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The database a single relay moves into, and whether it may: only an empty one, or one an
 * earlier move left unfinished (its marker says so), which is emptied and filled again. A row of
 * {@code shared_settings} records the move's state: {@code started} while it runs, then
 * {@code done}; nodes never read it.
 */
final class MoveTarget {
    static final String MARKER = "moved_from_sqlite";
    /** Every table of the relay's PostgreSQL schema that holds data (not Flyway's history). */
    private static final List<String> TABLES = List.of("accounts", "mailboxes", "bodies", "body_chunks", "messages",
            "metadata", "login_verifiers", "outbound_messages", "outbound_recipients", "push_queue", "shared_settings",
            "leases", "acme_account", "acme_certificate", "acme_challenges", "store_counters");
    /** What a node's start or an operator's command writes, naming the data a move would mix with. */
    private static final List<String> IN_USE = List.of("accounts", "outbound_messages", "push_queue", "acme_account",
            "acme_certificate", "shared_settings");

    /** The key of the session advisory lock one move holds while it runs ("chatmove"). */
    private static final long MOVE_LOCK = 0x63686174_6d6f7665L;

    private final PostgresDatabase db;

    MoveTarget(PostgresDatabase db) {
        this.db = db;
    }

    /**
     * Takes the move lock on a connection of its own, held until that connection closes (or the
     * process dies): a second move into the same database, from this data_dir or another one,
     * would otherwise take the first one's mark for a stopped move and empty the database under
     * it. Empty when another move holds the lock.
     */
    /** Something held until closed, whose closing cannot fail in a way the caller could act on. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    Optional<Held> lock() {
        try {
            Connection c = db.dedicatedConnection("move");
            try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                s.setLong(1, MOVE_LOCK);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return Optional.of(() -> release(c));
                    }
                }
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            c.close();
            return Optional.empty();
        } catch (SQLException e) {
            throw new chatmail.store.StoreException("cannot take the move lock: SQLSTATE " + e.getSQLState(), e);
        }
    }

    /** Closing the session lets go of its advisory lock. */
    private static void release(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            throw new chatmail.store.StoreException("cannot let go of the move lock: SQLSTATE " + e.getSQLState(), e);
        }
    }

    /** Why the database cannot take the move, or empty when it can. */
    Optional<String> refusal() {
        Optional<String> marker = marker();
        if (marker.isPresent()) {
            return marker.get().startsWith("done")
                    ? Optional.of("the PostgreSQL database holds a finished move already (" + marker.get()
                            + "); nothing was written")
                    : Optional.empty();
        }
        List<String> used = db.read(c -> {
            List<String> tables = new ArrayList<>();
            for (String table : IN_USE) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM "
                        + table + ")")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        tables.add(table);
                    }
                }
            }
            return tables;
        });
        if (used.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the PostgreSQL database is not empty (rows in " + String.join(", ", used) + "); a move"
                + " writes only into an empty database: create a new one (CREATE DATABASE ... OWNER ...) or empty this"
                + " one; nothing was written");
    }

    /** The state an earlier move left ("started ..." or "done ..."), if any. */
    Optional<String> marker() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT value FROM shared_settings WHERE name = ?")) {
                s.setString(1, MARKER);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** Empties every table (what an unfinished move left) and records that a move starts. */
    void start(String when) {
        db.transaction(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("TRUNCATE " + String.join(", ", TABLES) + " RESTART IDENTITY");
            }
            setMarker(c, "started " + when);
            return null;
        });
    }

    void finish(String when) {
        db.transaction(c -> {
            setMarker(c, "done " + when);
            return null;
        });
    }

    /** New mailboxes get a UIDVALIDITY above every one the single relay issued, as they did there. */
    void raiseUidValidityCounter(long lastIssued) {
        if (lastIssued < 1) {
            return;
        }
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO store_counters (name, value) VALUES ('uidvalidity', ?)"
                    + " ON CONFLICT (name) DO UPDATE SET value = greatest(store_counters.value, excluded.value)")) {
                s.setLong(1, lastIssued);
                return s.executeUpdate();
            }
        });
    }

    private static void setMarker(Connection c, String value) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO shared_settings (name, value) VALUES (?, ?)"
                + " ON CONFLICT (name) DO UPDATE SET value = excluded.value")) {
            s.setString(1, MARKER);
            s.setString(2, value);
            s.executeUpdate();
        }
    }
}
