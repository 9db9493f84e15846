package chatmail.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The one INSERT of an outbound queue entry (schema {@code V2__outbound_queue.sql}, V4): used by
 * the queue's own connection and by the mail store's writer, which queues a submission in the
 * same commit as its local copies.
 */
public final class OutboundRows {
    private OutboundRows() {}

    /**
     * @param content the whole message, or (with {@code file}) the header on top of the file's bytes
     * @param file the queue file with the rest of the message, or null
     * @return the message id
     */
    public static long insert(Connection c, String sender, List<String> recipients, byte[] content, String file,
            Instant now) throws SQLException {
        long id;
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO outbound_messages (sender, content, file, created_at) VALUES (?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            s.setString(1, sender);
            s.setBytes(2, content);
            s.setString(3, file);
            s.setLong(4, now.toEpochMilli());
            s.executeUpdate();
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        try (PreparedStatement s = c.prepareStatement(
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
    }

    public static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }
}
