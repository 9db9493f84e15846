package chatmail.delivery.outbound;

import chatmail.store.sqlite.SqliteSideConnection;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 */
public final class SqliteOutboundQueueStore implements OutboundQueueStore {

    public static final String FILE_NAME = SqliteSideConnection.FILE_NAME;

    private final SqliteSideConnection db;

    private SqliteOutboundQueueStore(SqliteSideConnection db) {
        this.db = db;
    }

    public static SqliteOutboundQueueStore open(Path dataDir) {
        return new SqliteOutboundQueueStore(SqliteSideConnection.open(dataDir, "outbound queue", "outbound-queue-db",
                config -> config.setSynchronous(SQLiteConfig.SynchronousMode.FULL)));
    }

    @Override
    public long add(String sender, List<String> recipients, byte[] message, Instant now) {
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
            try (PreparedStatement s = tx.prepareStatement(
                    "INSERT INTO outbound_recipients (message_id, recipient, domain, next_attempt_at) VALUES (?, ?, ?, ?)")) {
                for (String recipient : recipients) {
                    s.setLong(1, id);
                    s.setString(2, recipient);
                    s.setString(3, domainOf(recipient));
                    s.setLong(4, now.toEpochMilli());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return id;
        }));
    }

    static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public List<QueuedRecipient> due(Instant now, int limit) {
        return db.call(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT r.id, r.message_id, m.sender, r.recipient, r.domain, r.attempts, m.created_at,
                           r.next_attempt_at, r.last_error
                    FROM outbound_recipients r JOIN outbound_messages m ON m.id = r.message_id
                    WHERE r.next_attempt_at <= ? ORDER BY r.next_attempt_at, r.id LIMIT ?""")) {
                s.setLong(1, now.toEpochMilli());
                s.setInt(2, limit);
                List<QueuedRecipient> due = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        due.add(new QueuedRecipient(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getInt(6), Instant.ofEpochMilli(rs.getLong(7)),
                                Instant.ofEpochMilli(rs.getLong(8)), rs.getString(9)));
                    }
                }
                return due;
            }
        });
    }

    @Override
    public Optional<Instant> nextDue() {
        return db.call(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT min(next_attempt_at) FROM outbound_recipients")) {
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
                    "UPDATE outbound_recipients SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?")) {
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
    public QueueSummary summary(int maxDestinations) {
        return db.call(c -> {
            long recipients;
            Optional<Instant> oldest;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                    SELECT count(*), min(m.created_at)
                    FROM outbound_recipients r JOIN outbound_messages m ON m.id = r.message_id""")) {
                rs.next();
                recipients = rs.getLong(1);
                long first = rs.getLong(2);
                oldest = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(first));
            }
            java.util.Map<String, Long> byDestination = new java.util.LinkedHashMap<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT domain, count(*) AS n FROM outbound_recipients GROUP BY domain ORDER BY n DESC, domain LIMIT ?")) {
                s.setInt(1, maxDestinations);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        byDestination.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return new QueueSummary(recipients, oldest, byDestination);
        });
    }

    @Override
    public void close() {
        db.close();
    }
}
