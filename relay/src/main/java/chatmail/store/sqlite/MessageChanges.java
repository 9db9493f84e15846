package chatmail.store.sqlite;

import chatmail.store.MailStore.FlagUpdate;
import chatmail.store.MailboxEvents.FlagsChanged;
import chatmail.store.MailboxEvents.MessagesAdded;
import chatmail.store.MailboxEvents.MessagesExpunged;
import chatmail.store.MessageInfo;
import chatmail.store.StoredMessage;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The message-changing operations, each run inside the writer's transaction. Every change
 * takes a new MODSEQ from its mailbox and announces itself after the commit.
 */
final class MessageChanges {
    private MessageChanges() {}

    /** One delivery to several mailboxes: one body row, one message row per target. */
    static List<StoredMessage> deliver(WriteTx tx, PreparedBody body, Instant internalDate, List<PreparedTarget> targets)
            throws SQLException {
        long bodyId = BodyTable.insert(tx, targets.size(), body.size(), body.inline(), body.file());
        List<StoredMessage> stored = new ArrayList<>(targets.size());
        AddedByMailbox added = new AddedByMailbox();
        for (PreparedTarget target : targets) {
            MailboxTable.Allocation slot = MailboxTable.allocateUid(tx, target.mailboxId());
            MessageTable.insert(tx, target.mailboxId(), slot.uid(), slot.accountId(), bodyId, target.flags(),
                    slot.modseq(), body.size(), internalDate);
            stored.add(new StoredMessage(slot.accountId(), target.mailboxId(), slot.uid(), slot.modseq()));
            added.add(slot.accountId(), target.mailboxId(), slot.uid());
        }
        added.publish(tx);
        return stored;
    }

    /** Changes flags; every message changed by one call gets the same new MODSEQ. */
    static List<MessageInfo> updateFlags(WriteTx tx, long mailboxId, Collection<Long> uids, FlagUpdate update,
                                         TreeSet<String> flags) throws SQLException {
        long accountId = MailboxTable.accountOf(tx.sql(), mailboxId);
        long modseq = 0;
        List<MessageInfo> changed = new ArrayList<>();
        for (long uid : new TreeSet<>(uids)) {
            Optional<MessageTable.Row> row = MessageTable.find(tx, mailboxId, uid);
            if (row.isEmpty()) {
                continue;
            }
            String before = row.get().flags();
            String after = FlagSet.apply(before, update, flags);
            if (after.equals(before)) {
                continue;
            }
            if (modseq == 0) {
                modseq = MailboxTable.nextModseq(tx, mailboxId);
            }
            MessageTable.updateFlags(tx, mailboxId, uid, after, modseq);
            changed.add(new MessageInfo(uid, FlagSet.decodeToSet(after), modseq, row.get().size(),
                    row.get().internalDate()));
        }
        if (!changed.isEmpty()) {
            tx.publishAfterCommit(new FlagsChanged(accountId, mailboxId,
                    changed.stream().map(MessageInfo::uid).toList()));
        }
        return changed;
    }

    static List<Long> expunge(WriteTx tx, BodyFiles files, long mailboxId, Collection<Long> uids)
            throws SQLException {
        long accountId = MailboxTable.accountOf(tx.sql(), mailboxId);
        List<Long> removed = new ArrayList<>();
        for (long uid : new TreeSet<>(uids)) {
            Optional<Long> bodyId = MessageTable.delete(tx, mailboxId, uid);
            if (bodyId.isPresent()) {
                BodyTable.release(tx, files, bodyId.get(), 1);
                removed.add(uid);
            }
        }
        if (!removed.isEmpty()) {
            MailboxTable.expungedModseq(tx, mailboxId);
            tx.publishAfterCommit(new MessagesExpunged(accountId, mailboxId, List.copyOf(removed)));
        }
        return removed;
    }

    /** Messages per statement of {@link #delete}; shorter lists are padded with a reference to nothing. */
    static final int DELETE_CHUNK = 50;

    /**
     * Messages per statement of a deletion with a time budget (the expiry's, which yields the
     * writer): a statement is the least such a write does. With 50 and a budget of 4 ms a write
     * took 4 ms of SQL on average, up to 15-30 ms, and a commit of 3 ms (hundreds of scattered
     * pages); with 10 and 1 ms, 1.6 and 1.2 ms, at the same expiry rate (docs/benchmarks.md, "The
     * writer's checkpoint and the expiry's pace").
     */
    static final int YIELDING_DELETE_CHUNK = 10;

    private static final String DELETE_LIST = deleteList(DELETE_CHUNK);
    private static final String YIELDING_DELETE_LIST = deleteList(YIELDING_DELETE_CHUNK);

    private static String deleteList(int chunk) {
        return "WITH doomed (mailbox_id, uid) AS (VALUES "
                + String.join(", ", java.util.Collections.nCopies(chunk, "(?, ?)"))
                + ") DELETE FROM messages WHERE (mailbox_id, uid) IN (SELECT mailbox_id, uid FROM doomed)"
                + " RETURNING account_id, mailbox_id, uid, body_id";
    }

    /**
     * Deletes messages of any mailboxes, {@link #DELETE_CHUNK} per statement: expiry deletes
     * millions, mostly one per mailbox, and a statement per message costs more in the calls than
     * in SQLite. Each mailbox that lost messages gets one new MODSEQ and one event; messages
     * already gone are skipped.
     */
    static void delete(WriteTx tx, BodyFiles files, List<chatmail.store.MessageRef> refs) throws SQLException {
        delete(tx, files, refs, DELETE_LIST, DELETE_CHUNK, Long.MAX_VALUE);
    }

    /**
     * As above, {@link #YIELDING_DELETE_CHUNK} per statement, but stops after the statement that
     * used up {@code budgetNanos} of the writer's time; returns how many of the first references
     * it handled (at least one statement's).
     */
    static int delete(WriteTx tx, BodyFiles files, List<chatmail.store.MessageRef> refs, long budgetNanos)
            throws SQLException {
        return delete(tx, files, refs, YIELDING_DELETE_LIST, YIELDING_DELETE_CHUNK, budgetNanos);
    }

    private static int delete(WriteTx tx, BodyFiles files, List<chatmail.store.MessageRef> refs, String sql,
                              int chunk, long budgetNanos) throws SQLException {
        long started = System.nanoTime();
        Map<Long, List<Long>> removed = new LinkedHashMap<>();
        Map<Long, Long> accounts = new LinkedHashMap<>();
        Map<Long, Long> released = new LinkedHashMap<>();
        java.sql.PreparedStatement delete = tx.statement(sql);
        int handled = 0;
        for (int start = 0; start < refs.size() && (start == 0 || System.nanoTime() - started < budgetNanos);
                start += chunk) {
            handled = Math.min(refs.size(), start + chunk);
            for (int i = 0; i < chunk; i++) {
                chatmail.store.MessageRef ref = start + i < refs.size() ? refs.get(start + i) : null;
                delete.setLong(2 * i + 1, ref == null ? 0 : ref.mailboxId());
                delete.setLong(2 * i + 2, ref == null ? 0 : ref.uid());
            }
            try (java.sql.ResultSet rows = delete.executeQuery()) {
                while (rows.next()) {
                    long mailboxId = rows.getLong(2);
                    accounts.put(mailboxId, rows.getLong(1));
                    removed.computeIfAbsent(mailboxId, id -> new ArrayList<>()).add(rows.getLong(3));
                    released.merge(rows.getLong(4), 1L, Long::sum);
                }
            }
        }
        for (Map.Entry<Long, Long> body : released.entrySet()) {
            BodyTable.release(tx, files, body.getKey(), body.getValue());
        }
        for (Map.Entry<Long, List<Long>> mailbox : removed.entrySet()) {
            MailboxTable.expungedModseq(tx, mailbox.getKey());
            List<Long> uids = new ArrayList<>(mailbox.getValue());
            uids.sort(null);
            tx.publishAfterCommit(new MessagesExpunged(accounts.get(mailbox.getKey()), mailbox.getKey(), List.copyOf(uids)));
        }
        return handled;
    }

    /** Copies share the body of their original; the copy keeps flags and internal date. */
    static List<StoredMessage> copy(WriteTx tx, long fromMailboxId, Collection<Long> uids, long toMailboxId)
            throws SQLException {
        MailboxTable.accountOf(tx.sql(), fromMailboxId);
        MailboxTable.accountOf(tx.sql(), toMailboxId);
        List<StoredMessage> copies = new ArrayList<>();
        AddedByMailbox added = new AddedByMailbox();
        for (long uid : uids) {
            Optional<MessageTable.Row> row = MessageTable.find(tx, fromMailboxId, uid);
            if (row.isEmpty()) {
                continue;
            }
            MessageTable.Row original = row.get();
            MailboxTable.Allocation slot = MailboxTable.allocateUid(tx, toMailboxId);
            MessageTable.insert(tx, toMailboxId, slot.uid(), slot.accountId(), original.bodyId(), original.flags(),
                    slot.modseq(), original.size(), original.internalDate());
            BodyTable.addReference(tx, original.bodyId());
            copies.add(new StoredMessage(slot.accountId(), toMailboxId, slot.uid(), slot.modseq()));
            added.add(slot.accountId(), toMailboxId, slot.uid());
        }
        added.publish(tx);
        return copies;
    }

    /** A body ready for the database: inline bytes, or the name of its already durable file. */
    record PreparedBody(long size, byte[] inline, String file) {}

    /** A delivery target with its flags already in stored form. */
    record PreparedTarget(long mailboxId, String flags) {}

    private static final class AddedByMailbox {
        private final Map<Long, List<Long>> uids = new LinkedHashMap<>();
        private final Map<Long, Long> accounts = new LinkedHashMap<>();

        void add(long accountId, long mailboxId, long uid) {
            uids.computeIfAbsent(mailboxId, id -> new ArrayList<>()).add(uid);
            accounts.put(mailboxId, accountId);
        }

        void publish(WriteTx tx) {
            uids.forEach((mailboxId, list) ->
                    tx.publishAfterCommit(new MessagesAdded(accounts.get(mailboxId), mailboxId, List.copyOf(list))));
        }
    }
}
