package chatmail.store.sqlite;

import chatmail.store.QueuedEntries;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one INSERT of an outbound queue entry (schema {@code V2__outbound_queue.sql}, V4, V6, V9): used
 * by the queue's own connection and by the mail store's writer, which queues a submission in the
 * same commit as its local copies.
 */
public final class OutboundRows {
    private OutboundRows() {}

    /**
     * @param content the whole message, or (with {@code file}) the header on top of the file's bytes
     * @param file the queue file with the rest of the message, or null
     * @param claimedUntil when not null, the new entries are claimed until then
     * @param signAtSend the message is queued unsigned; its attempt signs it
     * @return the message id and the entry ids, in the order of {@code recipients}
     */
    public static QueuedEntries insert(Connection c, String sender, List<String> recipients, byte[] content, String file,
            Instant now, Instant claimedUntil, boolean signAtSend) throws SQLException {
        long id;
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO outbound_messages (sender, content, file, created_at, sign_at_send) VALUES (?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            s.setString(1, sender);
            s.setBytes(2, content);
            s.setString(3, file);
            s.setLong(4, now.toEpochMilli());
            s.setInt(5, signAtSend ? 1 : 0);
            s.executeUpdate();
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        List<Long> ids = new ArrayList<>(recipients.size());
        try (PreparedStatement s = c.prepareStatement("INSERT INTO outbound_recipients"
                + " (message_id, recipient, domain, next_attempt_at, claimed_until) VALUES (?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            // One row at a time: each entry's id is handed back, which a batch does not give.
            for (String recipient : recipients) {
                s.setLong(1, id);
                s.setString(2, recipient);
                s.setString(3, QueuedEntries.domainOf(recipient));
                s.setLong(4, now.toEpochMilli());
                if (claimedUntil == null) {
                    s.setNull(5, Types.INTEGER);
                } else {
                    s.setLong(5, claimedUntil.toEpochMilli());
                }
                s.executeUpdate();
                try (ResultSet keys = s.getGeneratedKeys()) {
                    keys.next();
                    ids.add(keys.getLong(1));
                }
            }
        }
        return new QueuedEntries(id, ids);
    }
}
