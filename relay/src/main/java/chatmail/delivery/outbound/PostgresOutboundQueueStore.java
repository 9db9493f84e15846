package chatmail.delivery.outbound;

import chatmail.store.MessageBody;
import chatmail.store.QueuedEntries;
import chatmail.store.postgresql.PostgresDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link OutboundQueueStore} in the shared PostgreSQL database (SCALE-2). Any node may take any
 * due entry: {@link #claimDue} locks the rows it takes with {@code FOR UPDATE SKIP LOCKED} and
 * leases them until {@code claimedUntil}, so two nodes never take the same entry at once, and
 * a dead node's entries fall due again when its lease runs out (claims are never cleared at
 * start: another node may hold them). A node that stops in order releases the claims it holds
 * ({@link #close}), so its entries are due for the others at once. Figures ({@link #size},
 * {@link #summary}) are cluster-wide.
 */
public final class PostgresOutboundQueueStore implements OutboundQueueStore {
    private final PostgresDatabase db;

    public PostgresOutboundQueueStore(PostgresDatabase db) {
        this.db = db;
    }

    /**
     * Queues a message moved from another store with its recipients' retry state as it was there
     * ({@code chatmail move-to-postgresql}): created_at, attempts, next attempt, last error and a
     * final reply waiting for its bounce stay, so the 2-day limit and the back-off go on where they
     * were, and so does a copy's mark that its DKIM signature is still to be made ({@code signAtSend}).
     * Unclaimed: any node takes the entries when they are due. Returns the new message's id.
     */
    public long importMessage(String sender, byte[] message, boolean signAtSend, Instant createdAt,
            List<QueuedRecipient> recipients) {
        return db.transaction(c -> {
            long id;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO outbound_messages (sender, content, created_at,"
                    + " sign_at_send) VALUES (?, ?, ?, ?) RETURNING id")) {
                s.setString(1, sender);
                s.setBytes(2, message);
                s.setLong(3, createdAt.toEpochMilli());
                s.setBoolean(4, signAtSend);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO outbound_recipients (message_id, recipient,"
                    + " domain, attempts, next_attempt_at, last_error, final_reply) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (QueuedRecipient r : recipients) {
                    s.setLong(1, id);
                    s.setString(2, r.recipient());
                    s.setString(3, r.domain());
                    s.setInt(4, r.attempts());
                    s.setLong(5, r.nextAttemptAt().toEpochMilli());
                    s.setString(6, r.lastError());
                    s.setString(7, r.finalReply());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return id;
        });
    }

    @Override
    public List<QueuedRecipient> add(String sender, List<String> recipients, byte[] message, Instant now,
            Instant claimedUntil) {
        List<Long> ids = db.transaction(c -> {
            long id;
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO outbound_messages (sender, content, created_at) VALUES (?, ?, ?) RETURNING id")) {
                s.setString(1, sender);
                s.setBytes(2, message);
                s.setLong(3, now.toEpochMilli());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            List<Long> entries = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("INSERT INTO outbound_recipients"
                    + " (message_id, recipient, domain, next_attempt_at, claimed_until, claimed_by) VALUES (?, ?, ?, ?, ?, ?)"
                    + " RETURNING id")) {
                for (String recipient : recipients) {
                    s.setLong(1, id);
                    s.setString(2, recipient);
                    s.setString(3, QueuedEntries.domainOf(recipient));
                    s.setLong(4, now.toEpochMilli());
                    if (claimedUntil == null) {
                        s.setNull(5, Types.BIGINT);
                        s.setNull(6, Types.VARCHAR);
                    } else {
                        s.setLong(5, claimedUntil.toEpochMilli());
                        s.setString(6, db.node());
                    }
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        entries.add(rs.getLong(1));
                    }
                }
            }
            entries.add(0, id);
            return entries;
        });
        long messageId = ids.getFirst();
        Instant at = Instant.ofEpochMilli(now.toEpochMilli());
        List<QueuedRecipient> added = new ArrayList<>(recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            String recipient = recipients.get(i);
            added.add(new QueuedRecipient(ids.get(i + 1), messageId, sender, recipient,
                    QueuedEntries.domainOf(recipient), 0, at, at, null, null));
        }
        return added;
    }

    private static final String SELECT_ENTRIES = """
            SELECT r.id, r.message_id, m.sender, r.recipient, r.domain, r.attempts, m.created_at,
                   r.next_attempt_at, r.last_error, r.final_reply
            FROM outbound_recipients r JOIN outbound_messages m ON m.id = r.message_id
            """;

    @Override
    public List<QueuedRecipient> claimDue(Instant now, Instant claimedUntil, int limit) {
        return db.transaction(c -> {
            // Rows another node is claiming right now are skipped, not waited for.
            List<QueuedRecipient> due = OutboundQueueRows.select(c, SELECT_ENTRIES + "WHERE r.next_attempt_at <= ?"
                    + " AND (r.claimed_until IS NULL OR r.claimed_until <= ?) ORDER BY r.next_attempt_at, r.id LIMIT ?"
                    + " FOR UPDATE OF r SKIP LOCKED", now.toEpochMilli(), now.toEpochMilli(), limit);
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE outbound_recipients SET claimed_until = ?, claimed_by = ? WHERE id = ?")) {
                for (QueuedRecipient r : due) {
                    s.setLong(1, claimedUntil.toEpochMilli());
                    s.setString(2, db.node());
                    s.setLong(3, r.id());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return due;
        });
    }

    @Override
    public List<QueuedRecipient> due(Instant now, int limit) {
        return db.read(c -> OutboundQueueRows.select(c, SELECT_ENTRIES + "WHERE r.next_attempt_at <= ? ORDER BY r.next_attempt_at, r.id LIMIT ?",
                now.toEpochMilli(), limit));
    }

    @Override
    public Optional<Instant> nextDue() {
        return db.read(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT min(greatest(next_attempt_at, coalesce(claimed_until, 0)))"
                            + " FROM outbound_recipients")) {
                rs.next();
                long value = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
            }
        });
    }

    @Override
    public QueuedContent queuedContent(long messageId) {
        // A bytea column comes whole: this backend still holds a queued message in memory while it is sent.
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT content, sign_at_send FROM outbound_messages WHERE id = ?")) {
                s.setLong(1, messageId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("no queued message " + messageId);
                    }
                    return new QueuedContent(MessageBody.of(rs.getBytes(1)), rs.getBoolean(2));
                }
            }
        });
    }

    @Override
    public void remove(List<Long> recipientIds) {
        if (recipientIds.isEmpty()) {
            return;
        }
        db.transaction(c -> {
            List<Long> messages = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM outbound_recipients WHERE id = ANY (?) RETURNING message_id")) {
                s.setArray(1, c.createArrayOf("bigint", recipientIds.toArray()));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        messages.add(rs.getLong(1));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM outbound_messages m WHERE m.id = ANY (?)"
                    + " AND NOT EXISTS (SELECT 1 FROM outbound_recipients r WHERE r.message_id = m.id)")) {
                s.setArray(1, c.createArrayOf("bigint", messages.stream().distinct().toArray()));
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void holdForBounce(Map<Long, String> finalReplies, Instant next) {
        if (finalReplies.isEmpty()) {
            return;
        }
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE outbound_recipients"
                    + " SET final_reply = ?, next_attempt_at = ?, claimed_until = NULL WHERE id = ?")) {
                for (var e : finalReplies.entrySet()) {
                    s.setString(1, e.getValue());
                    s.setLong(2, next.toEpochMilli());
                    s.setLong(3, e.getKey());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void retryAt(long recipientId, int attempts, Instant next, String lastError) {
        db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE outbound_recipients"
                    + " SET attempts = ?, next_attempt_at = ?, last_error = ?, claimed_until = NULL WHERE id = ?")) {
                s.setInt(1, attempts);
                s.setLong(2, next.toEpochMilli());
                s.setString(3, lastError);
                s.setLong(4, recipientId);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public long size() {
        return db.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM outbound_recipients")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public QueueSummary summary(int maxDestinations) {
        return db.read(c -> OutboundQueueRows.summary(c, maxDestinations));
    }

    @Override
    public boolean shared() {
        return true;
    }

    /**
     * Releases this node's claims: it stops, its attempts are over (the outbound worker closed
     * first). The database itself belongs to the storage that opened it.
     */
    @Override
    public void close() {
        try {
            db.read(c -> {
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE outbound_recipients SET claimed_until = NULL, claimed_by = NULL WHERE claimed_by = ?")) {
                    s.setString(1, db.node());
                    return s.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            // The claims run out by themselves.
            org.slf4j.LoggerFactory.getLogger(PostgresOutboundQueueStore.class)
                    .warn("could not release this node's outbound claims: {}", e.toString());
        }
    }
}
