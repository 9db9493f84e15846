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
        return infos(statement);
    }

    /** The messages whose MODSEQ is above {@code modseq}, in UID order. */
    static List<MessageInfo> changedSince(StatementCache sql, long mailboxId, long modseq) throws SQLException {
        PreparedStatement statement = sql.get("SELECT uid, flags, modseq, size, internal_date FROM messages"
                + " WHERE mailbox_id = ? AND modseq > ? ORDER BY uid");
        statement.setLong(1, mailboxId);
        statement.setLong(2, modseq);
        return infos(statement);
    }

    /** The rows of a {@code SELECT uid, flags, modseq, size, internal_date}. */
    private static List<MessageInfo> infos(PreparedStatement statement) throws SQLException {
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

    /** A page in (internal date, mailbox, uid) order, which the index messages_by_date holds as it is. */
    static List<MessageRef> receivedBefore(StatementCache sql, Instant cutoff, MessageRef after, int limit)
            throws SQLException {
        PreparedStatement statement = sql.get("SELECT " + REF_COLUMNS + " FROM messages"
                + " WHERE internal_date < ? AND (internal_date, mailbox_id, uid) > (?, ?, ?)"
                + " ORDER BY internal_date, mailbox_id, uid LIMIT ?");
        statement.setLong(1, cutoff.toEpochMilli());
        bindDateOrder(statement, 2, after);
        statement.setInt(5, limit);
        return refs(statement);
    }

    /**
     * The same order and index as {@link #receivedBefore}; rows that are not large and seen are
     * read and skipped, on a reader thread, never holding the writer.
     */
    static List<MessageRef> seenLargerThan(StatementCache sql, long minSize, Instant cutoff, MessageRef after,
                                           int limit) throws SQLException {
        PreparedStatement statement = sql.get("SELECT " + REF_COLUMNS + " FROM messages"
                + " WHERE internal_date < ? AND (internal_date, mailbox_id, uid) > (?, ?, ?) AND seen = 1 AND size > ?"
                + " ORDER BY internal_date, mailbox_id, uid LIMIT ?");
        statement.setLong(1, cutoff.toEpochMilli());
        bindDateOrder(statement, 2, after);
        statement.setLong(5, minSize);
        statement.setInt(6, limit);
        return refs(statement);
    }

    /**
     * One account's messages in (internal date, size, mailbox, uid) order: the order of the
     * covering index messages_by_account_date (its key ends with the primary key), so a page
     * is a range read, never a sort of the whole account.
     */
    static List<MessageRef> oldestFirst(StatementCache sql, long accountId, MessageRef after, int limit)
            throws SQLException {
        PreparedStatement statement = sql.get("SELECT " + REF_COLUMNS + " FROM messages"
                + " WHERE account_id = ? AND (internal_date, size, mailbox_id, uid) > (?, ?, ?, ?)"
                + " ORDER BY internal_date, size, mailbox_id, uid LIMIT ?");
        statement.setLong(1, accountId);
        statement.setLong(2, after == null ? Long.MIN_VALUE : after.internalDate().toEpochMilli());
        statement.setLong(3, after == null ? Long.MIN_VALUE : after.size());
        statement.setLong(4, after == null ? Long.MIN_VALUE : after.mailboxId());
        statement.setLong(5, after == null ? Long.MIN_VALUE : after.uid());
        statement.setInt(6, limit);
        return refs(statement);
    }

    private static void bindDateOrder(PreparedStatement statement, int first, MessageRef after) throws SQLException {
        statement.setLong(first, after == null ? Long.MIN_VALUE : after.internalDate().toEpochMilli());
        statement.setLong(first + 1, after == null ? Long.MIN_VALUE : after.mailboxId());
        statement.setLong(first + 2, after == null ? Long.MIN_VALUE : after.uid());
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
