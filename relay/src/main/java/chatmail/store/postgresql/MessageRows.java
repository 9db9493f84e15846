package chatmail.store.postgresql;

import chatmail.store.StoreException;
import chatmail.store.StoredMessage;
import chatmail.store.sqlite.FlagSet;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The one place that says how a message gets into mailboxes on PostgreSQL (deliveries of every
 * size and count of recipients, and IMAP COPY): per mailbox, in mailbox id order, the UID and
 * MODSEQ taken with {@code UPDATE mailboxes ... RETURNING} (the row lock orders concurrent
 * deliveries, SCALE-2), the bytes added to the mailbox's usage (V8) in that update, and the
 * message row; with a new body of one chunk, the body and its chunk as well.
 *
 * <p>All of it is one statement, one round trip (issue 16; docs/decisions.md, "One statement
 * for every delivery"). Sub-statements of a data-modifying {@code WITH} run in an order only
 * their data dependencies fix, so each mailbox's update after the first is made to wait for the
 * one before it ({@code EXISTS} over its result): the rows are locked in the order of the list,
 * and when a mailbox is missing no later one is touched. An update can change a row once per
 * statement, so one statement takes each mailbox at most once.
 */
final class MessageRows {
    /** Made once for deliveries to up to this many mailboxes, a group's local members. */
    private static final int MADE_ONCE = 16;
    private static final List<String> WITH_NEW_BODY = IntStream.rangeClosed(1, MADE_ONCE)
            .mapToObj(n -> sql(n, true)).toList();
    private static final List<String> WITH_BODY = IntStream.rangeClosed(1, MADE_ONCE)
            .mapToObj(n -> sql(n, false)).toList();

    /** A message for one mailbox, with its flags encoded ({@link FlagSet#encode}). */
    record Target(long mailboxId, String flags) {}

    private MessageRows() {}

    /**
     * A new body of at most one chunk ({@link BodyChunks#CHUNK}), referenced once per target, and
     * the targets' messages; the targets' mailboxes must differ ({@link #distinct}).
     */
    static StoredMessage[] addWithNewBody(Connection c, byte[] content, List<Target> targets, Instant internalDate)
            throws SQLException {
        StoredMessage[] stored = new StoredMessage[targets.size()];
        add(c, content, 0, content.length, targets, idOrder(targets), internalDate, stored);
        return stored;
    }

    /**
     * Messages of an existing body of {@code size} bytes, whose references the caller counted.
     * A mailbox named more than once gets a message per mention, one statement per round of
     * distinct mailboxes.
     */
    static StoredMessage[] addWithBody(Connection c, long bodyId, long size, List<Target> targets,
                                       Instant internalDate) throws SQLException {
        StoredMessage[] stored = new StoredMessage[targets.size()];
        List<Integer> order = idOrder(targets);
        int from = 0;
        for (int i = 1; i <= order.size(); i++) {
            if (i == order.size() || mailbox(targets, order, i) == mailbox(targets, order, i - 1)) {
                add(c, null, bodyId, size, targets, order.subList(from, i), internalDate, stored);
                from = i;
            }
        }
        return stored;
    }

    static boolean distinct(List<Target> targets) {
        return targets.stream().mapToLong(Target::mailboxId).distinct().count() == targets.size();
    }

    private static long mailbox(List<Target> targets, List<Integer> order, int i) {
        return targets.get(order.get(i)).mailboxId();
    }

    /** Positions in {@code targets}, by mailbox id. */
    private static List<Integer> idOrder(List<Target> targets) {
        List<Integer> order = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> targets.get(i).mailboxId()));
        return order;
    }

    /**
     * The messages of the targets at {@code order}'s positions (sorted by mailbox id by the
     * caller, once; their mailboxes distinct), each stored at its position in {@code stored}.
     * {@code content} null: the existing body {@code bodyId}.
     */
    private static void add(Connection c, byte[] content, long bodyId, long size, List<Target> targets,
                            List<Integer> order, Instant internalDate, StoredMessage[] stored) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(statement(order.size(), content != null))) {
            int p = 1;
            if (content != null) {
                s.setInt(p++, order.size());
                s.setLong(p++, size);
                s.setBytes(p++, content);
            } else {
                s.setLong(p++, bodyId);
            }
            for (int i : order) {
                Target target = targets.get(i);
                s.setLong(p++, size);
                s.setLong(p++, target.mailboxId());
                s.setLong(p++, target.mailboxId());
                s.setString(p++, target.flags());
                s.setBoolean(p++, FlagSet.isSeen(target.flags()));
                s.setLong(p++, size);
                s.setLong(p++, internalDate.toEpochMilli());
            }
            int rows = 0;
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    int i = order.get(rs.getInt(1));
                    stored[i] = new StoredMessage(rs.getLong(2), targets.get(i).mailboxId(), rs.getLong(3),
                            rs.getLong(4));
                    rows++;
                }
            }
            if (rows < order.size()) {
                // What the statement did goes with the rollback this failure makes.
                throw new StoreException("no such mailbox");
            }
        }
    }

    private static String statement(int targets, boolean newBody) {
        if (targets > MADE_ONCE) {
            return sql(targets, newBody);
        }
        return (newBody ? WITH_NEW_BODY : WITH_BODY).get(targets - 1);
    }

    /**
     * With one target and a new body this is the plain statement the fifth pass measured against
     * {@code chatmail_deliver} (docs/benchmarks.md, "Cheaper deliveries on PostgreSQL").
     */
    private static String sql(int targets, boolean newBody) {
        StringBuilder sql = new StringBuilder("WITH ");
        if (newBody) {
            sql.append("body AS (INSERT INTO bodies (refcount, size) VALUES (?, ?) RETURNING id),"
                    + " chunk AS (INSERT INTO body_chunks (body_id, seq, data) SELECT id, 0, ? FROM body)");
        } else {
            sql.append("body AS (SELECT ?::bigint AS id)");
        }
        for (int i = 0; i < targets; i++) {
            sql.append(", slot").append(i).append(" AS (UPDATE mailboxes SET uidnext = uidnext + 1,"
                    + " highestmodseq = highestmodseq + 1, used = used + ? WHERE id = ?");
            if (i > 0) {
                sql.append(" AND EXISTS (SELECT FROM slot").append(i - 1).append(')');
            }
            sql.append(" RETURNING account_id, uidnext - 1 AS uid, highestmodseq AS modseq)");
            sql.append(", message").append(i).append(" AS (INSERT INTO messages (mailbox_id, uid, account_id, body_id,"
                    + " flags, seen, modseq, size, internal_date) SELECT ?, s.uid, s.account_id, body.id, ?, ?, s.modseq,"
                    + " ?, ? FROM slot").append(i).append(" s, body)");
        }
        for (int i = 0; i < targets; i++) {
            sql.append(i == 0 ? " " : " UNION ALL ").append("SELECT ").append(i)
                    .append(", account_id, uid, modseq FROM slot").append(i);
        }
        return sql.toString();
    }
}
