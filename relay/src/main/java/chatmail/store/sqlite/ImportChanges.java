package chatmail.store.sqlite;

import chatmail.store.Account;
import chatmail.store.Mailbox;
import chatmail.store.MailboxEvents.MessagesAdded;
import chatmail.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL of an import (MIG-1): accounts, mailboxes and messages written with the values they
 * had on the old server instead of new ones. Kept apart from the delivery path, which allocates
 * its own UIDs.
 */
final class ImportChanges {
    private static final long MAX_UID = 0xFFFF_FFFFL;

    private ImportChanges() {}

    static Account account(WriteTx tx, Clock clock, String address, String passwordHash, LocalDate created,
                           LocalDate lastLogin) throws SQLException {
        PreparedStatement insert = tx.statement("INSERT INTO accounts (address, password_hash, created_day,"
                + " last_login_day) VALUES (?, ?, ?, ?) ON CONFLICT (address) DO NOTHING RETURNING id");
        insert.setString(1, address);
        insert.setString(2, passwordHash);
        insert.setLong(3, created.toEpochDay());
        insert.setLong(4, lastLogin.toEpochDay());
        try (ResultSet rows = insert.executeQuery()) {
            if (rows.next()) {
                MailboxTable.createIfAbsent(tx, clock, rows.getLong(1), MailboxTable.INBOX);
            }
        }
        Account account = AccountTable.find(tx.sql(), address).orElseThrow();
        AccountTable.recordLogin(tx.sql(), account.id(), lastLogin);
        return AccountTable.find(tx.sql(), address).orElseThrow();
    }

    /**
     * A mailbox that never held a message (UIDNEXT 1) takes the old UIDVALIDITY: no client can
     * have a UID of it. One that did keeps its own, and the caller sees the difference.
     */
    static Mailbox mailbox(WriteTx tx, long accountId, String name, long uidValidity, long uidNext)
            throws SQLException {
        Optional<Mailbox> existing = MailboxTable.find(tx.sql(), accountId, name);
        if (existing.isEmpty()) {
            PreparedStatement insert = tx.statement("INSERT INTO mailboxes (account_id, name, uidvalidity, uidnext)"
                    + " VALUES (?, ?, ?, ?) RETURNING id");
            insert.setLong(1, accountId);
            insert.setString(2, name);
            insert.setLong(3, uidValidity);
            insert.setLong(4, uidNext);
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                return new Mailbox(rows.getLong(1), accountId, name, uidValidity);
            }
        }
        Mailbox mailbox = existing.get();
        if (mailbox.uidValidity() != uidValidity) {
            long currentNext = MailboxTable.counters(tx.sql(), mailbox.id()).orElseThrow().uidNext();
            if (currentNext != 1) {
                return mailbox;
            }
            PreparedStatement adopt = tx.statement("UPDATE mailboxes SET uidvalidity = ? WHERE id = ?");
            adopt.setLong(1, uidValidity);
            adopt.setLong(2, mailbox.id());
            adopt.executeUpdate();
            mailbox = new Mailbox(mailbox.id(), accountId, name, uidValidity);
        }
        raiseUidNext(tx, mailbox.id(), uidNext);
        return mailbox;
    }

    /** Checked on the caller's thread, so a wrong value is the caller's exception, not a store failure. */
    static void checkCounters(long uidValidity, long uidNext) {
        if (uidValidity < 1 || uidValidity > MAX_UID) {
            throw new IllegalArgumentException("UIDVALIDITY out of range: " + uidValidity);
        }
        if (uidNext < 1 || uidNext > MAX_UID + 1) {
            throw new IllegalArgumentException("UIDNEXT out of range: " + uidNext);
        }
    }

    /** Inserts the messages whose UIDs are free; returns the UIDs inserted, ascending. */
    static List<Long> messages(WriteTx tx, BodyFiles files, long mailboxId, List<Prepared> messages)
            throws SQLException {
        long accountId = MailboxTable.accountOf(tx.sql(), mailboxId);
        Set<Long> present = existingUids(tx.sql(), mailboxId, messages.stream().map(Prepared::uid).toList());
        List<Prepared> fresh = new ArrayList<>();
        for (Prepared message : messages) {
            if (present.contains(message.uid())) {
                if (message.file() != null) {
                    tx.deleteAfterCommit(files.path(message.file()));
                }
            } else {
                fresh.add(message);
            }
        }
        if (fresh.isEmpty()) {
            return List.of();
        }
        long modseq = fresh.stream().anyMatch(m -> m.modseq() == 0) ? MailboxTable.nextModseq(tx, mailboxId) : 0;
        List<Long> stored = new ArrayList<>(fresh.size());
        long highest = 0;
        long highestModseq = 0;
        for (Prepared message : fresh) {
            long bodyId = BodyTable.insert(tx, 1, message.size(), message.inline(), message.file());
            long kept = message.modseq() == 0 ? modseq : message.modseq();
            MessageTable.insert(tx, mailboxId, message.uid(), accountId, bodyId, message.flags(), kept,
                    message.size(), message.internalDate());
            stored.add(message.uid());
            highest = Math.max(highest, message.uid());
            highestModseq = Math.max(highestModseq, kept);
        }
        raiseUidNext(tx, mailboxId, highest + 1);
        raiseHighestModseq(tx, mailboxId, highestModseq);
        stored.sort(null);
        tx.publishAfterCommit(new MessagesAdded(accountId, mailboxId, List.copyOf(stored)));
        return stored;
    }

    static Set<Long> existingUids(StatementCache sql, long mailboxId, Collection<Long> uids) throws SQLException {
        PreparedStatement select = sql.get("SELECT 1 FROM messages WHERE mailbox_id = ? AND uid = ?");
        Set<Long> present = new HashSet<>();
        for (long uid : uids) {
            select.setLong(1, mailboxId);
            select.setLong(2, uid);
            try (ResultSet rows = select.executeQuery()) {
                if (rows.next()) {
                    present.add(uid);
                }
            }
        }
        return present;
    }

    private static void raiseUidNext(WriteTx tx, long mailboxId, long atLeast) throws SQLException {
        PreparedStatement raise = tx.statement("UPDATE mailboxes SET uidnext = max(uidnext, ?) WHERE id = ?");
        raise.setLong(1, atLeast);
        raise.setLong(2, mailboxId);
        if (raise.executeUpdate() == 0) {
            throw new StoreException("no such mailbox");
        }
    }

    /** Raises HIGHESTMODSEQ, never lowers it (RFC 7162: a client's last sync point stays valid). */
    static void raiseHighestModseq(WriteTx tx, long mailboxId, long atLeast) throws SQLException {
        PreparedStatement raise = tx.statement("UPDATE mailboxes SET highestmodseq = max(highestmodseq, ?) WHERE id = ?");
        raise.setLong(1, atLeast);
        raise.setLong(2, mailboxId);
        if (raise.executeUpdate() == 0) {
            throw new StoreException("no such mailbox");
        }
    }

    /**
     * A message ready for the database: flags in stored form, body inline or in its durable file,
     * its MODSEQ from the old server or 0 for a new one.
     */
    record Prepared(long uid, String flags, Instant internalDate, long size, byte[] inline, String file, long modseq) {}
}
