package chatmail.delivery.outbound;

import chatmail.store.MessageBody;
import chatmail.store.QueuedEntries;
import chatmail.store.StoreException;
import chatmail.store.sqlite.OutboundRows;
import chatmail.store.sqlite.QueueFiles;
import chatmail.store.sqlite.SqliteSideConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * {@link OutboundQueueStore} in the relay's SQLite database ({@code <data_dir>/chatmail.sqlite},
 * the mail store's file; schema in {@code V2__outbound_queue.sql}, V4, V6). One connection on one
 * platform thread: sqlite-jdbc is JNI and would pin the virtual threads that call in, and queue
 * writes are few (one per outgoing message and attempt), so a second writer beside the mail
 * store's is cheap; SQLite's busy timeout orders the two. {@code synchronous=FULL} makes every
 * commit wait for the fsync of the WAL.
 *
 * <p>A message larger than the inline limit keeps its body in a {@link QueueFiles} file; files no
 * entry names (a crash before the commit, or after the last recipient went) are removed at open.
 *
 * <p>One process owns the file, so claims left by an earlier run (a crash during an attempt)
 * are void: opening clears them, and such entries are due again at once.
 */
public final class SqliteOutboundQueueStore implements OutboundQueueStore {

    public static final String FILE_NAME = SqliteSideConnection.FILE_NAME;

    // Every statement, named so a test can check each one's query plan (OutboundQueuePlanTest).
    static final String CLEAR_CLAIMS = "UPDATE outbound_recipients SET claimed_until = NULL WHERE claimed_until IS NOT NULL";
    static final String FILE_REFERENCED = "SELECT 1 FROM outbound_messages WHERE file = ?";
    private static final String SELECT_ENTRIES = """
            SELECT r.id, r.message_id, m.sender, r.recipient, r.domain, r.attempts, m.created_at,
                   r.next_attempt_at, r.last_error, r.final_reply
            FROM outbound_recipients r JOIN outbound_messages m ON m.id = r.message_id
            """;
    static final String CLAIM_DUE = SELECT_ENTRIES + "WHERE r.next_attempt_at <= ?"
            + " AND (r.claimed_until IS NULL OR r.claimed_until <= ?) ORDER BY r.next_attempt_at, r.id LIMIT ?";
    static final String CLAIM = "UPDATE outbound_recipients SET claimed_until = ? WHERE id = ?";
    static final String DUE = SELECT_ENTRIES + "WHERE r.next_attempt_at <= ? ORDER BY r.next_attempt_at, r.id LIMIT ?";
    /** Its expression is the one index outbound_recipients_ready (V8) holds, so min() reads one entry. */
    static final String NEXT_DUE = "SELECT min(max(next_attempt_at, coalesce(claimed_until, 0))) FROM outbound_recipients";
    static final String MESSAGE = "SELECT content, file, sign_at_send FROM outbound_messages WHERE id = ?";
    static final String REMOVE = "DELETE FROM outbound_recipients WHERE id = ? RETURNING message_id";
    static final String REMOVE_MESSAGE_IF_DONE = "DELETE FROM outbound_messages WHERE id = ? AND NOT EXISTS"
            + " (SELECT 1 FROM outbound_recipients r WHERE r.message_id = ?) RETURNING file";
    static final String HOLD_FOR_BOUNCE =
            "UPDATE outbound_recipients SET final_reply = ?, next_attempt_at = ?, claimed_until = NULL WHERE id = ?";
    static final String RETRY_AT = "UPDATE outbound_recipients SET attempts = ?, next_attempt_at = ?, last_error = ?,"
            + " claimed_until = NULL WHERE id = ?";
    static final String SIZE = "SELECT count(*) FROM outbound_recipients";
    // Run by OutboundQueueRows for both backends; named here too so the plan test sees them.
    static final String SUMMARY = OutboundQueueRows.SUMMARY;
    static final String BY_DESTINATION = OutboundQueueRows.BY_DESTINATION;

    private final SqliteSideConnection db;
    private final QueueFiles files;

    private SqliteOutboundQueueStore(SqliteSideConnection db, QueueFiles files) {
        this.db = db;
        this.files = files;
    }

    public static SqliteOutboundQueueStore open(Path dataDir) {
        SqliteSideConnection db = SqliteSideConnection.open(dataDir, "outbound queue", "outbound-queue-db",
                config -> config.setSynchronous(SQLiteConfig.SynchronousMode.FULL));
        try {
            db.call(c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate(CLEAR_CLAIMS);
                }
                return null;
            });
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        QueueFiles files = QueueFiles.open(dataDir);
        try {
            files.removeOrphans(name -> db.call(c -> {
                try (PreparedStatement s = c.prepareStatement(FILE_REFERENCED)) {
                    s.setString(1, name);
                    try (ResultSet rs = s.executeQuery()) {
                        return rs.next();
                    }
                }
            }));
        } catch (IOException | RuntimeException e) {
            db.close();
            throw new StoreException("cannot clean the queue files: " + e.getMessage(), e);
        }
        return new SqliteOutboundQueueStore(db, files);
    }

    @Override
    public List<QueuedRecipient> add(String sender, List<String> recipients, byte[] message, Instant now,
            Instant claimedUntil) {
        QueuedEntries entries = db.call(c -> SqliteSideConnection.transaction(c,
                tx -> OutboundRows.insert(tx, sender, recipients, message, null, now, claimedUntil, false)));
        Instant at = Instant.ofEpochMilli(now.toEpochMilli());
        List<QueuedRecipient> added = new ArrayList<>(recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            String recipient = recipients.get(i);
            added.add(new QueuedRecipient(entries.recipientIds().get(i), entries.messageId(), sender, recipient,
                    QueuedEntries.domainOf(recipient), 0, at, at, null, null));
        }
        return added;
    }

    @Override
    public List<QueuedRecipient> claimDue(Instant now, Instant claimedUntil, int limit) {
        return db.call(c -> SqliteSideConnection.transaction(c, tx -> {
            List<QueuedRecipient> due = OutboundQueueRows.select(tx, CLAIM_DUE, now.toEpochMilli(), now.toEpochMilli(), limit);
            try (PreparedStatement s = tx.prepareStatement(CLAIM)) {
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
        return db.call(c -> OutboundQueueRows.select(c, DUE, now.toEpochMilli(), limit));
    }

    @Override
    public Optional<Instant> nextDue() {
        return db.call(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(NEXT_DUE)) {
                rs.next();
                long value = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
            }
        });
    }

    @Override
    public QueuedContent queuedContent(long messageId) {
        record Row(byte[] content, String file, boolean signAtSend) {}
        Row row = db.call(c -> {
            try (PreparedStatement s = c.prepareStatement(MESSAGE)) {
                s.setLong(1, messageId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("no queued message " + messageId);
                    }
                    return new Row(rs.getBytes(1), rs.getString(2), rs.getInt(3) != 0);
                }
            }
        });
        if (row.file() == null) {
            return new QueuedContent(MessageBody.of(row.content()), row.signAtSend());
        }
        // The file's size on the caller's thread: file I/O needs no database connection.
        try {
            return new QueuedContent(new QueuedMessage(row.content(), files.path(row.file())), row.signAtSend());
        } catch (IOException e) {
            throw new StoreException("queued message " + messageId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Forgets delivered or bounced entries without waiting for an fsync of its own: the next
     * commit of any connection to the database (the store's, a queue write) fsyncs the WAL and
     * this with it, and a crash of the process loses nothing (WAL mode, synchronous=NORMAL). Only
     * a power loss before that can undo it, and then the entry is delivered once more, as after
     * a crash between the delivery and this. It spares every delivery an fsync on the queue's one
     * connection, which held the database's write lock for it while submissions waited. A message
     * with a queue file is removed with its fsync as before: the file is deleted right after, and
     * an entry that came back without its file could not be tried again.
     */
    @Override
    public void remove(List<Long> recipientIds) {
        if (recipientIds.isEmpty()) {
            return;
        }
        db.call(c -> withoutFsyncUnless(hasFile(c, recipientIds), c, () -> SqliteSideConnection.transaction(c, tx -> {
            // Only the messages these entries belonged to: a sweep over all of outbound_messages
            // after every delivery grows with the queue (OutboundQueuePlanTest).
            Set<Long> messages = new LinkedHashSet<>();
            try (PreparedStatement s = tx.prepareStatement(REMOVE)) {
                for (long id : recipientIds) {
                    s.setLong(1, id);
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next()) {
                            messages.add(rs.getLong(1));
                        }
                    }
                }
            }
            List<String> released = new ArrayList<>();
            try (PreparedStatement s = tx.prepareStatement(REMOVE_MESSAGE_IF_DONE)) {
                for (long messageId : messages) {
                    s.setLong(1, messageId);
                    s.setLong(2, messageId);
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next() && rs.getString(1) != null) {
                            released.add(rs.getString(1));
                        }
                    }
                }
            }
            return released;
        }))).forEach(this::deleteQuietly);
    }

    private static boolean hasFile(Connection c, List<Long> recipientIds) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM outbound_recipients r JOIN outbound_messages m"
                + " ON m.id = r.message_id WHERE r.id = ? AND m.file IS NOT NULL")) {
            for (long id : recipientIds) {
                s.setLong(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private static <T> T withoutFsyncUnless(boolean fsync, Connection c, SqlCall<T> work) throws SQLException {
        if (fsync) {
            return work.run();
        }
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA synchronous=NORMAL");
        }
        try {
            return work.run();
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA synchronous=FULL");
            }
        }
    }

    @FunctionalInterface
    private interface SqlCall<T> {
        T run() throws SQLException;
    }

    private void deleteQuietly(String file) {
        try {
            Files.deleteIfExists(files.path(file));
        } catch (IOException e) {
            // An orphan costs only space; the next start removes it.
            org.slf4j.LoggerFactory.getLogger(SqliteOutboundQueueStore.class).warn("could not delete a queue file", e);
        }
    }

    @Override
    public void holdForBounce(Map<Long, String> finalReplies, Instant next) {
        if (finalReplies.isEmpty()) {
            return;
        }
        db.call(c -> SqliteSideConnection.transaction(c, tx -> {
            try (PreparedStatement s = tx.prepareStatement(HOLD_FOR_BOUNCE)) {
                for (var e : finalReplies.entrySet()) {
                    s.setString(1, e.getValue());
                    s.setLong(2, next.toEpochMilli());
                    s.setLong(3, e.getKey());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        }));
    }

    @Override
    public void retryAt(long recipientId, int attempts, Instant next, String lastError) {
        db.call(c -> {
            try (PreparedStatement s = c.prepareStatement(RETRY_AT)) {
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
                    ResultSet rs = s.executeQuery(SIZE)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public QueueSummary summary(int maxDestinations) {
        return db.call(c -> OutboundQueueRows.summary(c, maxDestinations));
    }

    @Override
    public void close() {
        db.close();
    }
}
