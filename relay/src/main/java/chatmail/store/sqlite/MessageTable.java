package chatmail.store.sqlite;

import chatmail.store.MessageInfo;
import chatmail.store.MessageRef;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL on the messages table. Internal dates are stored as epoch milliseconds. */
final class MessageTable {
    private static final String REF_COLUMNS = "account_id, mailbox_id, uid, size, internal_date";

    private MessageTable() {}

    static void insert(WriteTx tx, long mailboxId, long uid, long accountId, long bodyId, String flags, long modseq,
                       long size, Instant internalDate) throws SQLException {
        PreparedStatement statement = tx.statement("INSERT INTO messages (mailbox_id, uid, account_id, body_id,"
                + " flags, seen, modseq, size, internal_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        statement.setLong(1, mailboxId);
        statement.setLong(2, uid);
        statement.setLong(3, accountId);
        statement.setLong(4, bodyId);
        statement.setString(5, flags);
        statement.setBoolean(6, FlagSet.isSeen(flags));
        statement.setLong(7, modseq);
        statement.setLong(8, size);
        statement.setLong(9, internalDate.toEpochMilli());
        statement.executeUpdate();
    }

    static List<MessageInfo> list(StatementCache sql, long mailboxId) throws SQLException {
        PreparedStatement statement = sql.get("SELECT uid, flags, modseq, size, internal_date FROM messages"
                + " WHERE mailbox_id = ? ORDER BY uid");
        statement.setLong(1, mailboxId);
        List<MessageInfo> messages = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                messages.add(new MessageInfo(rows.getLong(1), FlagSet.decodeToSet(rows.getString(2)),
                        rows.getLong(3), rows.getLong(4), Instant.ofEpochMilli(rows.getLong(5))));
            }
        }
        return messages;
    }

    /** Where a message's content is: inline bytes, or the name of its body file. */
    static Optional<Content> content(StatementCache sql, long mailboxId, long uid) throws SQLException {
        PreparedStatement statement = sql.get("SELECT b.content, b.file FROM messages m"
                + " JOIN bodies b ON b.id = m.body_id WHERE m.mailbox_id = ? AND m.uid = ?");
        statement.setLong(1, mailboxId);
        statement.setLong(2, uid);
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(new Content(rows.getBytes(1), rows.getString(2))) : Optional.empty();
        }
    }

    static Optional<Row> find(WriteTx tx, long mailboxId, long uid) throws SQLException {
        PreparedStatement statement = tx.statement("SELECT body_id, flags, size, internal_date FROM messages"
                + " WHERE mailbox_id = ? AND uid = ?");
        statement.setLong(1, mailboxId);
        statement.setLong(2, uid);
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next()
                    ? Optional.of(new Row(rows.getLong(1), rows.getString(2), rows.getLong(3),
                            Instant.ofEpochMilli(rows.getLong(4))))
                    : Optional.empty();
        }
    }

    static void updateFlags(WriteTx tx, long mailboxId, long uid, String flags, long modseq) throws SQLException {
        PreparedStatement statement = tx.statement(
                "UPDATE messages SET flags = ?, seen = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?");
        statement.setString(1, flags);
        statement.setBoolean(2, FlagSet.isSeen(flags));
        statement.setLong(3, modseq);
        statement.setLong(4, mailboxId);
        statement.setLong(5, uid);
        statement.executeUpdate();
    }

    /** Deletes one message; returns its body id, or empty when there was no such message. */
    static Optional<Long> delete(WriteTx tx, long mailboxId, long uid) throws SQLException {
        PreparedStatement statement =
                tx.statement("DELETE FROM messages WHERE mailbox_id = ? AND uid = ? RETURNING body_id");
        statement.setLong(1, mailboxId);
        statement.setLong(2, uid);
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
        }
    }

    static long usage(StatementCache sql, long accountId) throws SQLException {
        PreparedStatement statement = sql.get("SELECT coalesce(sum(size), 0) FROM messages WHERE account_id = ?");
        statement.setLong(1, accountId);
        try (ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    static List<MessageRef> receivedBefore(StatementCache sql, Instant cutoff) throws SQLException {
        PreparedStatement statement = sql.get("SELECT " + REF_COLUMNS + " FROM messages"
                + " WHERE internal_date < ? ORDER BY internal_date, mailbox_id, uid");
        statement.setLong(1, cutoff.toEpochMilli());
        return refs(statement);
    }

    static List<MessageRef> seenLargerThan(StatementCache sql, long minSize, Instant cutoff) throws SQLException {
        PreparedStatement statement = sql.get("SELECT " + REF_COLUMNS + " FROM messages"
                + " WHERE internal_date < ? AND seen = 1 AND size > ? ORDER BY internal_date, mailbox_id, uid");
        statement.setLong(1, cutoff.toEpochMilli());
        statement.setLong(2, minSize);
        return refs(statement);
    }

    static List<MessageRef> oldestFirst(StatementCache sql, long accountId) throws SQLException {
        PreparedStatement statement = sql.get("SELECT " + REF_COLUMNS + " FROM messages"
                + " WHERE account_id = ? ORDER BY internal_date, mailbox_id, uid");
        statement.setLong(1, accountId);
        return refs(statement);
    }

    private static List<MessageRef> refs(PreparedStatement statement) throws SQLException {
        List<MessageRef> refs = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                refs.add(new MessageRef(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4),
                        Instant.ofEpochMilli(rows.getLong(5))));
            }
        }
        return refs;
    }

    record Content(byte[] inline, String file) {}

    record Row(long bodyId, String flags, long size, Instant internalDate) {}
}
