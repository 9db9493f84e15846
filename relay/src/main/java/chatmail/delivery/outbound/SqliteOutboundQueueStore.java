package chatmail.delivery.outbound;

import chatmail.store.sqlite.SqliteSideConnection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * {@link OutboundQueueStore} in the relay's SQLite database ({@code <data_dir>/chatmail.sqlite},
 * the mail store's file; schema in {@code V2__outbound_queue.sql}). One connection on one
 * platform thread: sqlite-jdbc is JNI and would pin the virtual threads that call in, and queue
 * writes are few (one per outgoing message and attempt), so a second writer beside the mail
 * store's is cheap; SQLite's busy timeout orders the two. {@code synchronous=FULL} makes every
 * commit wait for the fsync of the WAL.
 *
 * <p>One process owns the file, so claims left by an earlier run (a crash during an attempt)
 * are void: opening clears them, and such entries are due again at once.
 */
public final class SqliteOutboundQueueStore implements OutboundQueueStore {

    public static final String FILE_NAME = SqliteSideConnection.FILE_NAME;

    private final SqliteSideConnection db;

    private SqliteOutboundQueueStore(SqliteSideConnection db) {
        this.db = db;
    }

    public static SqliteOutboundQueueStore open(Path dataDir) {
        SqliteOutboundQueueStore store = new SqliteOutboundQueueStore(SqliteSideConnection.open(dataDir,
                "outbound queue", "outbound-queue-db", config -> config.setSynchronous(SQLiteConfig.SynchronousMode.FULL)));
        try {
            store.db.call(c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE outbound_recipients SET claimed_until = NULL WHERE claimed_until IS NOT NULL");
                }
                return null;
            });
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    @Override
    public List<QueuedRecipient> add(String sender, List<String> recipients, byte[] message, Instant now,
            Instant claimedUntil) {
        return db.call(c -> SqliteSideConnection.transaction(c, tx -> {
            long id;
            try (PreparedStatement s = tx.prepareStatement(
                    "INSERT INTO outbound_messages (sender, content, created_at) VALUES (?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                s.setString(1, sender);
                s.setBytes(2, message);
                s.setLong(3, now.toEpochMilli());
                s.executeUpdate();
                try (ResultSet keys = s.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            List<QueuedRecipient> added = new ArrayList<>(recipients.size());
            try (PreparedStatement s = tx.prepareStatement("INSERT INTO outbound_recipients"
                    + " (message_id, recipient, domain, next_attempt_at, claimed_until) VALUES (?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                for (String recipient : recipients) {
                    String domain = domainOf(recipient);
                    s.setLong(1, id);
                    s.setString(2, recipient);
                    s.setString(3, domain);
                    s.setLong(4, now.toEpochMilli());
                    if (claimedUntil == null) {
                        s.setNull(5, Types.INTEGER);
                    } else {
                        s.setLong(5, claimedUntil.toEpochMilli());
                    }
                    s.executeUpdate();
                    try (ResultSet keys = s.getGeneratedKeys()) {
                        keys.next();
                        added.add(new QueuedRecipient(keys.getLong(1), id, sender, recipient, domain, 0,
                                Instant.ofEpochMilli(now.toEpochMilli()), Instant.ofEpochMilli(now.toEpochMilli()), null));
                    }
                }
            }
            return added;
        }));
    }

    static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    private static final String SELECT_ENTRIES = """
            SELECT r.id, r.message_id, m.sender, r.recipient, r.domain, r.attempts, m.created_at,
                   r.next_attempt_at, r.last_error
            FROM outbound_recipients r JOIN outbound_messages m ON m.id = r.message_id
            """;

    @Override
    public List<QueuedRecipient> claimDue(Instant now, Instant claimedUntil, int limit) {
        return db.call(c -> SqliteSideConnection.transaction(c, tx -> {
            List<QueuedRecipient> due = select(tx, SELECT_ENTRIES + "WHERE r.next_attempt_at <= ?"
                    + " AND (r.claimed_until IS NULL OR r.claimed_until <= ?) ORDER BY r.next_attempt_at, r.id LIMIT ?",
                    now.toEpochMilli(), now.toEpochMilli(), limit);
            try (PreparedStatement s = tx.prepareStatement("UPDATE outbound_recipients SET claimed_until = ? WHERE id = ?")) {
                for (QueuedRecipient r : due) {
                    s.setLong(1, claimedUntil.toEpochMilli());
                    s.setLong(2, r.id());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return due;
        }));
    }

    @Override
    public List<QueuedRecipient> due(Instant now, int limit) {
        return db.call(c -> select(c, SELECT_ENTRIES + "WHERE r.next_attempt_at <= ? ORDER BY r.next_attempt_at, r.id LIMIT ?",
                now.toEpochMilli(), limit));
    }

    private static List<QueuedRecipient> select(Connection c, String sql, long... parameters) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setLong(i + 1, parameters[i]);
            }
            List<QueuedRecipient> entries = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    entries.add(new QueuedRecipient(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6), Instant.ofEpochMilli(rs.getLong(7)),
                            Instant.ofEpochMilli(rs.getLong(8)), rs.getString(9)));
                }
            }
            return entries;
        }
    }

    @Override
    public Optional<Instant> nextDue() {
        return db.call(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT min(max(next_attempt_at, coalesce(claimed_until, 0)))"
                            + " FROM outbound_recipients")) {
                rs.next();
                long value = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
            }
        });
    }

    @Override
    public byte[] message(long messageId) {
        return db.call(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT content FROM outbound_messages WHERE id = ?")) {
                s.setLong(1, messageId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("no queued message " + messageId);
                    }
                    return rs.getBytes(1);
                }
            }
        });
    }

    @Override
    public void remove(List<Long> recipientIds) {
        if (recipientIds.isEmpty()) {
            return;
        }
        db.call(c -> SqliteSideConnection.transaction(c, tx -> {
            try (PreparedStatement s = tx.prepareStatement("DELETE FROM outbound_recipients WHERE id = ?")) {
                for (long id : recipientIds) {
                    s.setLong(1, id);
                    s.addBatch();
                }
                s.executeBatch();
            }
            try (Statement s = tx.createStatement()) {
                s.executeUpdate("DELETE FROM outbound_messages WHERE NOT EXISTS "
                        + "(SELECT 1 FROM outbound_recipients r WHERE r.message_id = outbound_messages.id)");
            }
            return null;
        }));
    }

    @Override
    public void retryAt(long recipientId, int attempts, Instant next, String lastError) {
        db.call(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE outbound_recipients SET attempts = ?, next_attempt_at = ?, last_error = ?, claimed_until = NULL"
                            + " WHERE id = ?")) {
                s.setInt(1, attempts);
                s.setLong(2, next.toEpochMilli());
                s.setString(3, lastError);
                s.setLong(4, recipientId);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public long size() {
        return db.call(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM outbound_recipients")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public Optional<Instant> oldest() {
        return db.call(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT min(created_at) FROM outbound_messages")) {
                rs.next();
                long value = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
            }
        });
    }

    @Override
    public void close() {
        db.close();
    }
}
