package chatmail.store.sqlite;

import chatmail.store.Mailbox;
import chatmail.store.MailboxChanges;
import chatmail.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL on the mailboxes table: creation, UIDVALIDITY, and the UID and MODSEQ counters. */
final class MailboxTable {
    static final String INBOX = "INBOX";
    private static final String COLUMNS = "id, account_id, name, uidvalidity";
    private static final long MAX_UIDVALIDITY = 0xFFFF_FFFFL;

    private MailboxTable() {}

    static List<Mailbox> list(StatementCache sql, long accountId) throws SQLException {
        PreparedStatement statement =
                sql.get("SELECT " + COLUMNS + " FROM mailboxes WHERE account_id = ? ORDER BY id");
        statement.setLong(1, accountId);
        List<Mailbox> mailboxes = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                mailboxes.add(mailbox(rows));
            }
        }
        return mailboxes;
    }

    static Optional<Mailbox> find(StatementCache sql, long accountId, String name) throws SQLException {
        PreparedStatement statement =
                sql.get("SELECT " + COLUMNS + " FROM mailboxes WHERE account_id = ? AND name = ?");
        statement.setLong(1, accountId);
        statement.setString(2, name);
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(mailbox(rows)) : Optional.empty();
        }
    }

    /** The mailbox with its counters, for a snapshot. */
    static Optional<Counters> counters(StatementCache sql, long mailboxId) throws SQLException {
        PreparedStatement statement =
                sql.get("SELECT " + COLUMNS + ", uidnext, highestmodseq FROM mailboxes WHERE id = ?");
        statement.setLong(1, mailboxId);
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next()
                    ? Optional.of(new Counters(mailbox(rows), rows.getLong(5), rows.getLong(6)))
                    : Optional.empty();
        }
    }

    static Mailbox createIfAbsent(WriteTx tx, Clock clock, long accountId, String name) throws SQLException {
        Optional<Mailbox> existing = find(tx.sql(), accountId, name);
        if (existing.isPresent()) {
            return existing.get();
        }
        long uidValidity = nextUidValidity(tx, clock);
        PreparedStatement insert = tx.statement(
                "INSERT INTO mailboxes (account_id, name, uidvalidity) VALUES (?, ?, ?) RETURNING id");
        insert.setLong(1, accountId);
        insert.setString(2, name);
        insert.setLong(3, uidValidity);
        try (ResultSet rows = insert.executeQuery()) {
            rows.next();
            return new Mailbox(rows.getLong(1), accountId, name, uidValidity);
        }
    }

    /** Takes the next UID and MODSEQ of the mailbox for a new message. */
    static Allocation allocateUid(WriteTx tx, long mailboxId) throws SQLException {
        PreparedStatement statement = tx.statement("UPDATE mailboxes SET uidnext = uidnext + 1,"
                + " highestmodseq = highestmodseq + 1 WHERE id = ? RETURNING account_id, uidnext - 1, highestmodseq");
        statement.setLong(1, mailboxId);
        try (ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new StoreException("no such mailbox");
            }
            return new Allocation(rows.getLong(1), rows.getLong(2), rows.getLong(3));
        }
    }

    /** Increments the mailbox's MODSEQ for a change of existing messages; returns the new value. */
    static long nextModseq(WriteTx tx, long mailboxId) throws SQLException {
        return newModseq(tx.statement(
                "UPDATE mailboxes SET highestmodseq = highestmodseq + 1 WHERE id = ? RETURNING highestmodseq"), mailboxId);
    }

    /**
     * Increments the mailbox's MODSEQ for messages that were expunged and records it as the last
     * expunge's, so {@link #changesSince} tells sessions synced before it to read every message.
     */
    static long expungedModseq(WriteTx tx, long mailboxId) throws SQLException {
        return newModseq(tx.statement("UPDATE mailboxes SET highestmodseq = highestmodseq + 1,"
                + " expunged_modseq = highestmodseq + 1 WHERE id = ? RETURNING highestmodseq"), mailboxId);
    }

    /** Runs an UPDATE of one mailbox, {@code id = ?}, that returns its new MODSEQ. */
    private static long newModseq(PreparedStatement update, long mailboxId) throws SQLException {
        update.setLong(1, mailboxId);
        try (ResultSet rows = update.executeQuery()) {
            if (!rows.next()) {
                throw new StoreException("no such mailbox");
            }
            return rows.getLong(1);
        }
    }

    /**
     * The mailbox's HIGHESTMODSEQ and the messages changed after {@code modseq}, or empty when
     * a message was expunged after it. Both reads run in the reader's one transaction, so they see
     * the same commit.
     */
    static Optional<MailboxChanges> changesSince(StatementCache sql, long mailboxId, long modseq) throws SQLException {
        PreparedStatement statement = sql.get("SELECT highestmodseq, expunged_modseq FROM mailboxes WHERE id = ?");
        statement.setLong(1, mailboxId);
        long highest;
        try (ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new StoreException("no such mailbox");
            }
            if (rows.getLong(2) > modseq) {
                return Optional.empty();
            }
            highest = rows.getLong(1);
        }
        return Optional.of(new MailboxChanges(highest, MessageTable.changedSince(sql, mailboxId, modseq)));
    }

    static long accountOf(StatementCache sql, long mailboxId) throws SQLException {
        PreparedStatement statement = sql.get("SELECT account_id FROM mailboxes WHERE id = ?");
        statement.setLong(1, mailboxId);
        try (ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new StoreException("no such mailbox");
            }
            return rows.getLong(1);
        }
    }

    /**
     * The creation time in seconds, but always above every value issued before (kept in
     * store_counters), so a mailbox deleted and created again within a second still gets a
     * new UIDVALIDITY.
     */
    private static long nextUidValidity(WriteTx tx, Clock clock) throws SQLException {
        long last = 0;
        PreparedStatement select = tx.statement("SELECT value FROM store_counters WHERE name = 'uidvalidity'");
        try (ResultSet rows = select.executeQuery()) {
            if (rows.next()) {
                last = rows.getLong(1);
            }
        }
        long next = Math.max(Math.max(1, clock.instant().getEpochSecond()), last + 1);
        if (next > MAX_UIDVALIDITY) {
            throw new StoreException("UIDVALIDITY space exhausted");
        }
        PreparedStatement upsert = tx.statement("INSERT INTO store_counters (name, value) VALUES ('uidvalidity', ?)"
                + " ON CONFLICT (name) DO UPDATE SET value = excluded.value");
        upsert.setLong(1, next);
        upsert.executeUpdate();
        return next;
    }

    private static Mailbox mailbox(ResultSet rows) throws SQLException {
        return new Mailbox(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getLong(4));
    }

    record Counters(Mailbox mailbox, long uidNext, long highestModseq) {}

    record Allocation(long accountId, long uid, long modseq) {}
}
