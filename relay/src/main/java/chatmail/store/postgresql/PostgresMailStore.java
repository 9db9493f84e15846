package chatmail.store.postgresql;

import chatmail.store.Acceptance;
import chatmail.store.Account;
import chatmail.store.AccountUsage;
import chatmail.store.Committed;
import chatmail.store.DeliveryMailboxIds;
import chatmail.store.DeliveryTarget;
import chatmail.store.ImportedMessage;
import chatmail.store.MailStore;
import chatmail.store.Mailbox;
import chatmail.store.MailboxChanges;
import chatmail.store.MailboxEvents;
import chatmail.store.MailboxEvents.FlagsChanged;
import chatmail.store.MailboxEvents.MailboxEvent;
import chatmail.store.MailboxEvents.MessagesAdded;
import chatmail.store.MailboxEvents.MessagesExpunged;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageBody;
import chatmail.store.MessageInfo;
import chatmail.store.MessageRef;
import chatmail.store.QueuedCopy;
import chatmail.store.QueuedEntries;
import chatmail.store.StoreException;
import chatmail.store.StoreStatistics;
import chatmail.store.StoredContent;
import chatmail.store.StoredMessage;
import chatmail.store.sqlite.FlagSet;
import chatmail.store.sqlite.StoreEventHub;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The mail store in a PostgreSQL database that several relay nodes share (SCALE-1, SCALE-2).
 * Every call is one transaction on the caller's thread. UIDs and MODSEQs are taken with
 * {@code UPDATE mailboxes ... RETURNING} inside the delivery transaction, so the mailbox row's
 * lock orders concurrent deliveries and a client never sees a UID appear below one it has seen.
 *
 * <p>Changes are announced to this node's listeners after the commit, and handed to
 * {@code afterCommit} (the cross-node notifier) in the same order.
 */
public final class PostgresMailStore implements MailStore {
    private static final long MAX_UID = 0xFFFF_FFFFL;
    private static final String ACCOUNT_COLUMNS = "id, address, password_hash, created_day, last_login_day";
    private static final String MAILBOX_COLUMNS = "id, account_id, name, uidvalidity";
    private static final String REF_COLUMNS = "account_id, mailbox_id, uid, size, internal_date";

    private final PostgresDatabase db;
    private final Clock clock;
    private final StoreEventHub events = new StoreEventHub();
    private final Consumer<List<MailboxEvent>> afterCommit;
    /** Accounts whose last login this node knows is recorded for that day (saves a write per login). */
    private final Map<Long, LocalDate> loginDays = new ConcurrentHashMap<>();
    private final DeliveryMailboxIds deliveryMailboxes = new DeliveryMailboxIds(DeliveryMailboxIds.CAPACITY);

    private final boolean ownsDatabase;
    private volatile java.util.function.LongConsumer afterAccountDeleted = id -> { };

    /** Told of every account this node deleted, after the commit (the other nodes end its sessions). */
    public void afterAccountDeleted(java.util.function.LongConsumer handler) {
        this.afterAccountDeleted = handler;
    }

    /**
     * @param afterCommit gets every committed transaction's events, after this node's listeners
     * @param ownsDatabase close the database with the store (a command that uses only the store)
     */
    public PostgresMailStore(PostgresDatabase db, Clock clock, Consumer<List<MailboxEvent>> afterCommit,
                             boolean ownsDatabase) {
        this.db = db;
        this.ownsDatabase = ownsDatabase;
        this.clock = clock;
        this.afterCommit = afterCommit;
    }

    /** This node's event hub, which the cross-node listener feeds with other nodes' changes. */
    public StoreEventHub hub() {
        return events;
    }

    // ---- plumbing

    @FunctionalInterface
    private interface TxWork<T> {
        T run(PgTx tx) throws SQLException, IOException;
    }

    private <T> T write(TxWork<T> work) {
        PgTx[] last = new PgTx[1];
        T result = db.transaction(c -> {
            last[0] = new PgTx(c);
            return work.run(last[0]);
        });
        List<MailboxEvent> committed = last[0].events();
        if (!committed.isEmpty()) {
            committed.forEach(events::publish);
            afterCommit.accept(List.copyOf(committed));
        }
        return result;
    }

    private <T> T read(PostgresDatabase.Work<T> work) {
        return db.read(work);
    }

    private static PreparedStatement bind(PreparedStatement s, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            switch (v) {
                case null -> s.setNull(i + 1, Types.BIGINT);
                case Long l -> s.setLong(i + 1, l);
                case Integer n -> s.setInt(i + 1, n);
                case String str -> s.setString(i + 1, str);
                case Boolean b -> s.setBoolean(i + 1, b);
                case byte[] bytes -> s.setBytes(i + 1, bytes);
                default -> throw new IllegalArgumentException("unsupported parameter " + v.getClass());
            }
        }
        return s;
    }

    private static int update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement s = bind(c.prepareStatement(sql), values)) {
            return s.executeUpdate();
        }
    }

    private static Optional<Long> queryLong(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement s = bind(c.prepareStatement(sql), values); ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            long value = rs.getLong(1);
            return rs.wasNull() ? Optional.empty() : Optional.of(value);
        }
    }

    // ---- accounts

    @Override
    public Optional<Account> findAccount(String address) {
        Optional<Account> account = read(c -> findAccount(c, address));
        account.ifPresent(found -> loginDays.put(found.id(), found.lastLogin()));
        return account;
    }

    /** One round trip instead of two on every RCPT (issue 16): V8's per-mailbox counts make the sum cheap. */
    @Override
    public Optional<AccountUsage> findAccountWithUsage(String address) {
        Optional<AccountUsage> found = read(c -> {
            try (PreparedStatement s = bind(c.prepareStatement("SELECT " + ACCOUNT_COLUMNS
                    + ", (SELECT coalesce(sum(used), 0) FROM mailboxes WHERE account_id = accounts.id)"
                    + " FROM accounts WHERE lower(address) = lower(?)"), address); ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new AccountUsage(account(rs), rs.getLong(6))) : Optional.<AccountUsage>empty();
            }
        });
        found.ifPresent(f -> loginDays.put(f.account().id(), f.account().lastLogin()));
        return found;
    }

    @Override
    public Optional<chatmail.store.LoginRecord> findLogin(String address, long verifierKeyId) {
        Optional<chatmail.store.LoginRecord> login = read(c -> {
            try (PreparedStatement s = bind(c.prepareStatement("SELECT a.id, a.address, a.password_hash, a.created_day,"
                    + " a.last_login_day, v.verifier FROM accounts a LEFT JOIN login_verifiers v"
                    + " ON v.account_id = a.id AND v.key_id = ? WHERE lower(a.address) = lower(?)"), verifierKeyId, address);
                    ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new chatmail.store.LoginRecord(account(rs), rs.getBytes(6)))
                        : Optional.<chatmail.store.LoginRecord>empty();
            }
        });
        login.ifPresent(found -> loginDays.put(found.account().id(), found.account().lastLogin()));
        return login;
    }

    @Override
    public void saveLoginVerifier(long accountId, long verifierKeyId, byte[] verifier) {
        // INSERT ... SELECT: an account deleted meanwhile gets no row (and no foreign-key failure).
        write(tx -> update(tx.c(), "INSERT INTO login_verifiers (account_id, key_id, verifier)"
                + " SELECT id, ?, ? FROM accounts WHERE id = ?"
                + " ON CONFLICT (account_id, key_id) DO UPDATE SET verifier = excluded.verifier",
                verifierKeyId, verifier, accountId));
    }

    private static Optional<Account> findAccount(Connection c, String address) throws SQLException {
        try (PreparedStatement s = bind(c.prepareStatement("SELECT " + ACCOUNT_COLUMNS
                + " FROM accounts WHERE lower(address) = lower(?)"), address); ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(account(rs)) : Optional.empty();
        }
    }

    private static Account account(ResultSet rs) throws SQLException {
        return new Account(rs.getLong(1), rs.getString(2), rs.getString(3), LocalDate.ofEpochDay(rs.getLong(4)),
                LocalDate.ofEpochDay(rs.getLong(5)));
    }

    /** Nodes racing to create one address meet at the unique index: one insert wins, all read it. */
    @Override
    public Account createAccountIfAbsent(String address, String passwordHash, LocalDate today) {
        Account account = write(tx -> {
            Optional<Long> created = insertAccount(tx.c(), address, passwordHash, today, today);
            if (created.isPresent()) {
                createMailbox(tx, created.get(), "INBOX");
            }
            return findAccount(tx.c(), address).orElseThrow();
        });
        loginDays.put(account.id(), account.lastLogin());
        return account;
    }

    private static Optional<Long> insertAccount(Connection c, String address, String hash, LocalDate created,
                                                LocalDate lastLogin) throws SQLException {
        return queryLong(c, "INSERT INTO accounts (address, password_hash, created_day, last_login_day)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT ((lower(address))) DO NOTHING RETURNING id",
                address, hash, (int) created.toEpochDay(), (int) lastLogin.toEpochDay());
    }

    @Override
    public void recordLogin(long accountId, LocalDate day) {
        if (day.equals(loginDays.get(accountId))) {
            return;
        }
        write(tx -> update(tx.c(), "UPDATE accounts SET last_login_day = ? WHERE id = ? AND last_login_day < ?",
                (int) day.toEpochDay(), accountId, (int) day.toEpochDay()));
        loginDays.put(accountId, day);
    }

    @Override
    public List<Account> accountsLastLoginBefore(LocalDate day, long afterId, int limit) {
        return read(c -> {
            try (PreparedStatement s = bind(c.prepareStatement("SELECT " + ACCOUNT_COLUMNS
                    + " FROM accounts WHERE id > ? AND last_login_day < ? ORDER BY id LIMIT ?"), afterId,
                    (int) day.toEpochDay(), limit);
                    ResultSet rs = s.executeQuery()) {
                List<Account> accounts = new ArrayList<>();
                while (rs.next()) {
                    accounts.add(account(rs));
                }
                return accounts;
            }
        });
    }

    @Override
    public void deleteAccount(long accountId) {
        write(tx -> {
            List<long[]> released = new ArrayList<>();
            try (PreparedStatement s = bind(tx.c().prepareStatement(
                    "SELECT body_id, count(*) FROM messages WHERE account_id = ? GROUP BY body_id ORDER BY body_id"),
                    accountId); ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    released.add(new long[] {rs.getLong(1), rs.getLong(2)});
                }
            }
            update(tx.c(), "DELETE FROM accounts WHERE id = ?", accountId);
            for (long[] body : released) {
                BodyChunks.release(tx.c(), body[0], body[1]);
            }
            return null;
        });
        loginDays.remove(accountId);
        deliveryMailboxes.forgetAccount(accountId);
        afterAccountDeleted.accept(accountId);
    }

    @Override
    public long accountCount() {
        return read(c -> queryLong(c, "SELECT count(*) FROM accounts").orElse(0L));
    }

    @Override
    public StoreStatistics statistics(LocalDate today) {
        int day = (int) today.toEpochDay();
        return read(c -> {
            long total;
            long todayCount;
            long week;
            long month;
            try (PreparedStatement s = bind(c.prepareStatement("SELECT count(*), count(*) FILTER (WHERE last_login_day >= ?),"
                    + " count(*) FILTER (WHERE last_login_day >= ?), count(*) FILTER (WHERE last_login_day >= ?)"
                    + " FROM accounts"), day, day - 6, day - 29); ResultSet rs = s.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
                todayCount = rs.getLong(2);
                week = rs.getLong(3);
                month = rs.getLong(4);
            }
            long messages = queryLong(c, "SELECT count(*) FROM messages").orElse(0L);
            long bytes = queryLong(c, "SELECT coalesce(sum(size), 0) FROM bodies").orElse(0L);
            return new StoreStatistics(total, todayCount, week, month, messages, bytes);
        });
    }

    // ---- mailboxes

    @Override
    public List<Mailbox> mailboxes(long accountId) {
        return read(c -> {
            try (PreparedStatement s = bind(c.prepareStatement("SELECT " + MAILBOX_COLUMNS
                    + " FROM mailboxes WHERE account_id = ? ORDER BY id"), accountId); ResultSet rs = s.executeQuery()) {
                List<Mailbox> mailboxes = new ArrayList<>();
                while (rs.next()) {
                    mailboxes.add(mailbox(rs));
                }
                return mailboxes;
            }
        });
    }

    @Override
    public Optional<Mailbox> mailbox(long accountId, String name) {
        return read(c -> findMailbox(c, accountId, name));
    }

    private static Optional<Mailbox> findMailbox(Connection c, long accountId, String name) throws SQLException {
        try (PreparedStatement s = bind(c.prepareStatement("SELECT " + MAILBOX_COLUMNS
                + " FROM mailboxes WHERE account_id = ? AND name = ?"), accountId, name); ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(mailbox(rs)) : Optional.empty();
        }
    }

    private static Mailbox mailbox(ResultSet rs) throws SQLException {
        return new Mailbox(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4));
    }

    @Override
    public Mailbox createMailbox(long accountId, String name) {
        return write(tx -> createMailbox(tx, accountId, name));
    }

    @Override
    public long deliveryMailboxId(long accountId, String name) {
        return deliveryMailboxes.id(accountId, name, () -> MailStore.super.deliveryMailboxId(accountId, name));
    }

    private Mailbox createMailbox(PgTx tx, long accountId, String name) throws SQLException {
        Optional<Mailbox> existing = findMailbox(tx.c(), accountId, name);
        if (existing.isPresent()) {
            return existing.get();
        }
        long uidValidity = nextUidValidity(tx.c());
        Optional<Long> id = queryLong(tx.c(), "INSERT INTO mailboxes (account_id, name, uidvalidity) VALUES (?, ?, ?)"
                + " ON CONFLICT (account_id, name) DO NOTHING RETURNING id", accountId, name, uidValidity);
        if (id.isPresent()) {
            return new Mailbox(id.get(), accountId, name, uidValidity);
        }
        return findMailbox(tx.c(), accountId, name).orElseThrow();
    }

    /** Creation time in seconds, but above every value issued before (a re-created mailbox gets a new one). */
    private long nextUidValidity(Connection c) throws SQLException {
        long now = Math.max(1, clock.instant().getEpochSecond());
        long next = queryLong(c, "INSERT INTO store_counters (name, value) VALUES ('uidvalidity', ?)"
                + " ON CONFLICT (name) DO UPDATE SET value = greatest(store_counters.value + 1, excluded.value)"
                + " RETURNING value", now).orElseThrow();
        if (next > MAX_UID) {
            throw new StoreException("UIDVALIDITY space exhausted");
        }
        return next;
    }

    private static long nextModseq(Connection c, long mailboxId) throws SQLException {
        return nextModseq(c, mailboxId, 0);
    }

    /** The next MODSEQ, with the mailbox's usage changed by {@code addedBytes} in the same row update. */
    private static long nextModseq(Connection c, long mailboxId, long addedBytes) throws SQLException {
        return queryLong(c, "UPDATE mailboxes SET highestmodseq = highestmodseq + 1, used = used + ? WHERE id = ?"
                + " RETURNING highestmodseq", addedBytes, mailboxId)
                .orElseThrow(() -> new StoreException("no such mailbox"));
    }

    private static long accountOf(Connection c, long mailboxId) throws SQLException {
        return queryLong(c, "SELECT account_id FROM mailboxes WHERE id = ?", mailboxId)
                .orElseThrow(() -> new StoreException("no such mailbox"));
    }

    // ---- messages

    @Override
    public Committed commit(Acceptance acceptance) {
        List<List<String>> flags = new ArrayList<>();
        for (Acceptance.Copy copy : acceptance.copies()) {
            List<String> encoded = new ArrayList<>();
            for (DeliveryTarget target : copy.targets()) {
                encoded.add(FlagSet.encode(FlagSet.normalize(target.flags())));
            }
            flags.add(encoded);
        }
        // A spooled body is read from its file; the spool deletes the file when the caller closes it.
        return write(tx -> {
            List<List<StoredMessage>> stored = new ArrayList<>();
            for (int i = 0; i < acceptance.copies().size(); i++) {
                stored.add(deliver(tx, acceptance.copies().get(i), flags.get(i)));
            }
            Optional<QueuedEntries> entries = Optional.empty();
            if (acceptance.queued().isPresent()) {
                entries = Optional.of(insertQueued(tx.c(), acceptance.queued().get(), db.node()));
            }
            return new Committed(stored, entries);
        });
    }

    private static List<StoredMessage> deliver(PgTx tx, Acceptance.Copy copy, List<String> flags)
            throws SQLException, IOException {
        List<DeliveryTarget> targets = copy.targets();
        if (targets.isEmpty()) {
            return List.of();
        }
        List<MessageRows.Target> rows = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            rows.add(new MessageRows.Target(targets.get(i).mailboxId(), flags.get(i)));
        }
        MessageBody body = copy.message().content();
        Instant internalDate = copy.message().internalDate();
        StoredMessage[] stored;
        if (body.size() <= BodyChunks.CHUNK && MessageRows.distinct(rows)) {
            stored = MessageRows.addWithNewBody(tx.c(), oneChunk(body), rows, internalDate);
        } else {
            // Streamed a chunk at a time, so no large message is held in memory whole.
            long bodyId = BodyChunks.insert(tx.c(), body, targets.size());
            stored = MessageRows.addWithBody(tx.c(), bodyId, body.size(), rows, internalDate);
        }
        Added added = new Added();
        // Announced in mailbox id order, the order of the rows' updates.
        for (StoredMessage message : Arrays.stream(stored).sorted(Comparator.comparingLong(StoredMessage::mailboxId))
                .toList()) {
            added.add(message.accountId(), message.mailboxId(), message.uid());
        }
        added.publish(tx);
        return List.of(stored);
    }

    private static byte[] oneChunk(MessageBody body) throws IOException {
        byte[] content;
        try (InputStream in = body.openStream()) {
            content = in.readNBytes((int) body.size());
        }
        if (content.length < body.size()) {
            throw new IOException("message body shorter than its size");
        }
        return content;
    }

    /** A message row with the UID and MODSEQ its old server gave it (MIG-1); new ones are {@link MessageRows}. */
    private static void insertMessage(Connection c, long mailboxId, long uid, long accountId, long bodyId, String flags,
                                      long modseq, long size, Instant internalDate) throws SQLException {
        update(c, "INSERT INTO messages (mailbox_id, uid, account_id, body_id, flags, seen, modseq, size, internal_date)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", mailboxId, uid, accountId, bodyId, flags, FlagSet.isSeen(flags),
                modseq, size, internalDate.toEpochMilli());
    }

    /** The queued copy: header and body streamed into one {@code bytea}, entries claimed as asked. */
    static QueuedEntries insertQueued(Connection c, QueuedCopy q, String node) throws SQLException, IOException {
        long id;
        try (InputStream content = new SequenceInputStream(new ByteArrayInputStream(q.header()), q.body().openStream());
                PreparedStatement s = c.prepareStatement("INSERT INTO outbound_messages (sender, content, created_at, sign_at_send)"
                        + " VALUES (?, ?, ?, ?) RETURNING id")) {
            s.setString(1, q.sender());
            s.setBinaryStream(2, content, q.size());
            s.setLong(3, q.createdAt().toEpochMilli());
            s.setBoolean(4, q.signAtSend());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        List<Long> ids = new ArrayList<>(q.recipients().size());
        try (PreparedStatement s = c.prepareStatement("INSERT INTO outbound_recipients"
                + " (message_id, recipient, domain, next_attempt_at, claimed_until, claimed_by) VALUES (?, ?, ?, ?, ?, ?)"
                + " RETURNING id")) {
            for (String recipient : q.recipients()) {
                bind(s, id, recipient, QueuedEntries.domainOf(recipient), q.createdAt().toEpochMilli(),
                        q.claimedUntil() == null ? null : q.claimedUntil().toEpochMilli());
                s.setString(6, q.claimedUntil() == null ? null : node);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    ids.add(rs.getLong(1));
                }
            }
        }
        return new QueuedEntries(id, ids);
    }

    @Override
    public MailboxSnapshot snapshot(long mailboxId) {
        // One statement sees one snapshot of the database, so counters and messages are from the
        // same moment without a REPEATABLE READ transaction's extra round trips (an IDLE session
        // on another node pays for each one between a commit and its EXISTS).
        return read(c -> {
            try (PreparedStatement s = bind(c.prepareStatement("SELECT b.id, b.account_id, b.name, b.uidvalidity,"
                    + " b.uidnext, b.highestmodseq, m.uid, m.flags, m.modseq, m.size, m.internal_date"
                    + " FROM mailboxes b LEFT JOIN messages m ON m.mailbox_id = b.id WHERE b.id = ? ORDER BY m.uid"),
                    mailboxId); ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException("no such mailbox");
                }
                Mailbox mailbox = mailbox(rs);
                long uidNext = rs.getLong(5);
                long highest = rs.getLong(6);
                List<MessageInfo> messages = new ArrayList<>();
                do {
                    long uid = rs.getLong(7);
                    if (!rs.wasNull()) {
                        messages.add(new MessageInfo(uid, FlagSet.decodeToSet(rs.getString(8)), rs.getLong(9),
                                rs.getLong(10), Instant.ofEpochMilli(rs.getLong(11))));
                    }
                } while (rs.next());
                return new MailboxSnapshot(mailbox, uidNext, highest, messages);
            }
        });
    }

    /** Uses V9's expunged_modseq and the index on (mailbox_id, modseq); one statement, so one snapshot. */
    @Override
    public Optional<MailboxChanges> changesSince(long mailboxId, long modseq) {
        return read(c -> {
            try (PreparedStatement s = bind(c.prepareStatement("SELECT b.highestmodseq, b.expunged_modseq,"
                    + " m.uid, m.flags, m.modseq, m.size, m.internal_date FROM mailboxes b"
                    + " LEFT JOIN messages m ON m.mailbox_id = b.id AND m.modseq > ? WHERE b.id = ? ORDER BY m.uid"),
                    modseq, mailboxId); ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException("no such mailbox");
                }
                long highest = rs.getLong(1);
                if (rs.getLong(2) > modseq) {
                    return Optional.<MailboxChanges>empty();
                }
                List<MessageInfo> changed = new ArrayList<>();
                do {
                    long uid = rs.getLong(3);
                    if (!rs.wasNull()) {
                        changed.add(new MessageInfo(uid, FlagSet.decodeToSet(rs.getString(4)), rs.getLong(5),
                                rs.getLong(6), Instant.ofEpochMilli(rs.getLong(7))));
                    }
                } while (rs.next());
                return Optional.of(new MailboxChanges(highest, changed));
            }
        });
    }

    @Override
    public byte[] content(long mailboxId, long uid) throws IOException {
        return read(c -> {
            long bodyId;
            long size;
            try (PreparedStatement s = bind(c.prepareStatement(
                    "SELECT body_id, size FROM messages WHERE mailbox_id = ? AND uid = ?"), mailboxId, uid);
                    ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException("no such message");
                }
                bodyId = rs.getLong(1);
                size = rs.getLong(2);
            }
            return BodyChunks.read(c, bodyId, size);
        });
    }

    @Override
    public StoredContent open(long mailboxId, long uid) {
        long[] body = read(c -> {
            try (PreparedStatement s = bind(c.prepareStatement(
                    "SELECT body_id, size FROM messages WHERE mailbox_id = ? AND uid = ?"), mailboxId, uid);
                    ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException("no such message");
                }
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        });
        ChunkedContent content = ChunkedContent.open(db, body[0], body[1]);
        if (content == null) {
            // Expunged on another connection between the two reads, as in content().
            throw new StoreException("no such message");
        }
        return content;
    }

    private record Row(long bodyId, String flags, long size, Instant internalDate) {}

    private static Optional<Row> findMessage(Connection c, long mailboxId, long uid, boolean lock) throws SQLException {
        try (PreparedStatement s = bind(c.prepareStatement("SELECT body_id, flags, size, internal_date FROM messages"
                + " WHERE mailbox_id = ? AND uid = ?" + (lock ? " FOR UPDATE" : "")), mailboxId, uid);
                ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(new Row(rs.getLong(1), rs.getString(2), rs.getLong(3),
                    Instant.ofEpochMilli(rs.getLong(4)))) : Optional.empty();
        }
    }

    @Override
    public List<MessageInfo> updateFlags(long mailboxId, Collection<Long> uids, FlagUpdate update, Set<String> flags) {
        TreeSet<String> normalized = FlagSet.normalize(flags);
        List<Long> sorted = List.copyOf(new TreeSet<>(uids));
        return write(tx -> {
            long accountId = accountOf(tx.c(), mailboxId);
            // The mailbox row first: flag changes of one mailbox take their MODSEQs in order.
            long modseq = 0;
            List<MessageInfo> changed = new ArrayList<>();
            for (long uid : sorted) {
                Optional<Row> row = findMessage(tx.c(), mailboxId, uid, true);
                if (row.isEmpty()) {
                    continue;
                }
                String before = row.get().flags();
                String after = FlagSet.apply(before, update, normalized);
                if (after.equals(before)) {
                    continue;
                }
                if (modseq == 0) {
                    modseq = nextModseq(tx.c(), mailboxId);
                }
                update(tx.c(), "UPDATE messages SET flags = ?, seen = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?",
                        after, FlagSet.isSeen(after), modseq, mailboxId, uid);
                changed.add(new MessageInfo(uid, FlagSet.decodeToSet(after), modseq, row.get().size(),
                        row.get().internalDate()));
            }
            if (!changed.isEmpty()) {
                tx.publishAfterCommit(new FlagsChanged(accountId, mailboxId, changed.stream().map(MessageInfo::uid).toList()));
            }
            return changed;
        });
    }

    @Override
    public List<Long> expunge(long mailboxId, Collection<Long> uids) {
        List<Long> sorted = List.copyOf(new TreeSet<>(uids));
        return write(tx -> expunge(tx, mailboxId, sorted));
    }

    private static List<Long> expunge(PgTx tx, long mailboxId, List<Long> sortedUids) throws SQLException {
        long accountId = accountOf(tx.c(), mailboxId);
        List<Long> removed = new ArrayList<>();
        Map<Long, Long> released = new java.util.TreeMap<>();
        long removedBytes = 0;
        try (PreparedStatement s = tx.c().prepareStatement(
                "DELETE FROM messages WHERE mailbox_id = ? AND uid = ? RETURNING body_id, size")) {
            for (long uid : sortedUids) {
                bind(s, mailboxId, uid);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        released.merge(rs.getLong(1), 1L, Long::sum);
                        removedBytes += rs.getLong(2);
                        removed.add(uid);
                    }
                }
            }
        }
        for (Map.Entry<Long, Long> body : released.entrySet()) {
            BodyChunks.release(tx.c(), body.getKey(), body.getValue());
        }
        if (!removed.isEmpty()) {
            // expunged_modseq (V9): sessions synced before this MODSEQ must re-read the whole mailbox.
            queryLong(tx.c(), "UPDATE mailboxes SET highestmodseq = highestmodseq + 1, expunged_modseq = highestmodseq + 1,"
                    + " used = used - ? WHERE id = ? RETURNING highestmodseq", removedBytes, mailboxId)
                    .orElseThrow(() -> new StoreException("no such mailbox"));
            tx.publishAfterCommit(new MessagesExpunged(accountId, mailboxId, List.copyOf(removed)));
        }
        return removed;
    }

    @Override
    public List<StoredMessage> copy(long fromMailboxId, Collection<Long> uids, long toMailboxId) {
        List<Long> uidList = List.copyOf(uids);
        return write(tx -> {
            accountOf(tx.c(), fromMailboxId);
            accountOf(tx.c(), toMailboxId);
            List<StoredMessage> copies = new ArrayList<>();
            Added added = new Added();
            for (long uid : uidList) {
                Optional<Row> row = findMessage(tx.c(), fromMailboxId, uid, false);
                if (row.isEmpty()) {
                    continue;
                }
                Row original = row.get();
                StoredMessage copy = MessageRows.addWithBody(tx.c(), original.bodyId(), original.size(),
                        List.of(new MessageRows.Target(toMailboxId, original.flags())), original.internalDate())[0];
                BodyChunks.addReference(tx.c(), original.bodyId());
                copies.add(copy);
                added.add(copy.accountId(), toMailboxId, copy.uid());
            }
            added.publish(tx);
            return copies;
        });
    }

    @Override
    public long usage(long accountId) {
        // V8's per-mailbox count: the same sum as over the messages, read from an account's few mailboxes.
        return read(c -> queryLong(c, "SELECT coalesce(sum(used), 0) FROM mailboxes WHERE account_id = ?", accountId)
                .orElse(0L));
    }

    // ---- expiry

    @Override
    public List<MessageRef> messagesReceivedBefore(Instant cutoff, MessageRef after, int limit) {
        return refs("SELECT " + REF_COLUMNS + " FROM messages WHERE internal_date < ?"
                + " AND (internal_date, mailbox_id, uid) > (?, ?, ?) ORDER BY internal_date, mailbox_id, uid LIMIT ?",
                cutoff.toEpochMilli(), afterDate(after), afterMailbox(after), afterUid(after), limit);
    }

    @Override
    public List<MessageRef> seenMessagesLargerThan(long minSize, Instant cutoff, MessageRef after, int limit) {
        return refs("SELECT " + REF_COLUMNS + " FROM messages WHERE internal_date < ?"
                + " AND (internal_date, mailbox_id, uid) > (?, ?, ?) AND seen AND size > ?"
                + " ORDER BY internal_date, mailbox_id, uid LIMIT ?",
                cutoff.toEpochMilli(), afterDate(after), afterMailbox(after), afterUid(after), minSize, limit);
    }

    /** In (internal date, size, mailbox, uid) order, as the embedded store pages it. */
    @Override
    public List<MessageRef> messagesOldestFirst(long accountId, MessageRef after, int limit) {
        return refs("SELECT " + REF_COLUMNS + " FROM messages WHERE account_id = ?"
                + " AND (internal_date, size, mailbox_id, uid) > (?, ?, ?, ?)"
                + " ORDER BY internal_date, size, mailbox_id, uid LIMIT ?", accountId, afterDate(after),
                after == null ? Long.MIN_VALUE : after.size(), afterMailbox(after), afterUid(after), limit);
    }

    private static long afterDate(MessageRef after) {
        return after == null ? Long.MIN_VALUE : after.internalDate().toEpochMilli();
    }

    private static long afterMailbox(MessageRef after) {
        return after == null ? Long.MIN_VALUE : after.mailboxId();
    }

    private static long afterUid(MessageRef after) {
        return after == null ? Long.MIN_VALUE : after.uid();
    }

    private List<MessageRef> refs(String sql, Object... values) {
        return read(c -> {
            try (PreparedStatement s = bind(c.prepareStatement(sql), values); ResultSet rs = s.executeQuery()) {
                List<MessageRef> refs = new ArrayList<>();
                while (rs.next()) {
                    refs.add(new MessageRef(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            Instant.ofEpochMilli(rs.getLong(5))));
                }
                return refs;
            }
        });
    }

    @Override
    public void delete(Collection<MessageRef> messages) {
        Map<Long, TreeSet<Long>> byMailbox = new java.util.TreeMap<>();
        for (MessageRef ref : messages) {
            byMailbox.computeIfAbsent(ref.mailboxId(), id -> new TreeSet<>()).add(ref.uid());
        }
        if (byMailbox.isEmpty()) {
            return;
        }
        write(tx -> {
            for (Map.Entry<Long, TreeSet<Long>> entry : byMailbox.entrySet()) {
                if (queryLong(tx.c(), "SELECT account_id FROM mailboxes WHERE id = ?", entry.getKey()).isPresent()) {
                    expunge(tx, entry.getKey(), List.copyOf(entry.getValue()));
                }
            }
            return null;
        });
    }

    // ---- metadata

    @Override
    public void addMetadataValue(long accountId, String entry, String value, Instant expiresAt, int maxValues) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("maxValues must be at least 1");
        }
        Instant now = clock.instant();
        write(tx -> {
            addValue(tx.c(), accountId, entry, value, now, expiresAt, maxValues);
            return null;
        });
    }

    private static void addValue(Connection c, long accountId, String entry, String value, Instant now, Instant expiresAt,
                                 int maxValues) throws SQLException {
        // The account row is the lock that orders concurrent changes of one account's entries.
        if (queryLong(c, "SELECT id FROM accounts WHERE id = ? FOR UPDATE", accountId).isEmpty()) {
            throw new StoreException("no such account");
        }
        update(c, "DELETE FROM metadata WHERE account_id = ? AND mailbox_id IS NULL AND name = ?"
                + " AND expires_at IS NOT NULL AND expires_at <= ?", accountId, entry, now.toEpochMilli());
        if (update(c, "UPDATE metadata SET updated_at = ?, expires_at = ? WHERE account_id = ? AND mailbox_id IS NULL"
                + " AND name = ? AND value = ?", now.toEpochMilli(), expiresAt.toEpochMilli(), accountId, entry,
                bytes(value)) == 0) {
            update(c, "INSERT INTO metadata (account_id, mailbox_id, name, value, updated_at, expires_at)"
                    + " VALUES (?, NULL, ?, ?, ?, ?)", accountId, entry, bytes(value), now.toEpochMilli(),
                    expiresAt.toEpochMilli());
        }
        update(c, "DELETE FROM metadata WHERE id IN (SELECT id FROM metadata WHERE account_id = ? AND mailbox_id IS NULL"
                + " AND name = ? ORDER BY updated_at DESC, id DESC OFFSET ?)", accountId, entry, maxValues);
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public List<String> metadataValues(long accountId, String entry, Instant now) {
        return read(c -> {
            try (PreparedStatement s = bind(c.prepareStatement("SELECT value FROM metadata WHERE account_id = ?"
                    + " AND mailbox_id IS NULL AND name = ? AND (expires_at IS NULL OR expires_at > ?)"
                    + " ORDER BY updated_at, id"), accountId, entry, now.toEpochMilli()); ResultSet rs = s.executeQuery()) {
                List<String> values = new ArrayList<>();
                while (rs.next()) {
                    values.add(new String(rs.getBytes(1), StandardCharsets.UTF_8));
                }
                return values;
            }
        });
    }

    @Override
    public void removeMetadataValue(long accountId, String entry, String value) {
        write(tx -> update(tx.c(), "DELETE FROM metadata WHERE account_id = ? AND mailbox_id IS NULL AND name = ?"
                + " AND value = ?", accountId, entry, bytes(value)));
    }

    @Override
    public void clearMetadata(long accountId, String entry) {
        write(tx -> update(tx.c(), "DELETE FROM metadata WHERE account_id = ? AND mailbox_id IS NULL AND name = ?",
                accountId, entry));
    }

    // ---- import (MIG-1)

    @Override
    public Account importAccount(String address, String passwordHash, LocalDate created, LocalDate lastLogin) {
        Account account = write(tx -> {
            Optional<Long> id = insertAccount(tx.c(), address, passwordHash, created, lastLogin);
            if (id.isPresent()) {
                createMailbox(tx, id.get(), "INBOX");
            }
            Account found = findAccount(tx.c(), address).orElseThrow();
            update(tx.c(), "UPDATE accounts SET last_login_day = ? WHERE id = ? AND last_login_day < ?",
                    (int) lastLogin.toEpochDay(), found.id(), (int) lastLogin.toEpochDay());
            return findAccount(tx.c(), address).orElseThrow();
        });
        loginDays.remove(account.id());
        return account;
    }

    @Override
    public Mailbox importMailbox(long accountId, String name, long uidValidity, long uidNext) {
        if (uidValidity < 1 || uidValidity > MAX_UID) {
            throw new IllegalArgumentException("UIDVALIDITY out of range: " + uidValidity);
        }
        if (uidNext < 1 || uidNext > MAX_UID + 1) {
            throw new IllegalArgumentException("UIDNEXT out of range: " + uidNext);
        }
        return write(tx -> {
            Optional<Mailbox> existing = findMailbox(tx.c(), accountId, name);
            if (existing.isEmpty()) {
                long id = queryLong(tx.c(), "INSERT INTO mailboxes (account_id, name, uidvalidity, uidnext)"
                        + " VALUES (?, ?, ?, ?) RETURNING id", accountId, name, uidValidity, uidNext).orElseThrow();
                return new Mailbox(id, accountId, name, uidValidity);
            }
            Mailbox mailbox = existing.get();
            if (mailbox.uidValidity() != uidValidity) {
                long currentNext = queryLong(tx.c(), "SELECT uidnext FROM mailboxes WHERE id = ? FOR UPDATE",
                        mailbox.id()).orElseThrow();
                if (currentNext != 1) {
                    return mailbox;
                }
                update(tx.c(), "UPDATE mailboxes SET uidvalidity = ? WHERE id = ?", uidValidity, mailbox.id());
                mailbox = new Mailbox(mailbox.id(), accountId, name, uidValidity);
            }
            raiseUidNext(tx.c(), mailbox.id(), uidNext);
            return mailbox;
        });
    }

    private static void raiseUidNext(Connection c, long mailboxId, long atLeast) throws SQLException {
        if (update(c, "UPDATE mailboxes SET uidnext = greatest(uidnext, ?) WHERE id = ?", atLeast, mailboxId) == 0) {
            throw new StoreException("no such mailbox");
        }
    }

    @Override
    public List<Long> importMessages(long mailboxId, List<ImportedMessage> messages) {
        if (messages.isEmpty()) {
            return List.of();
        }
        List<Long> stored = write(tx -> {
            long accountId = accountOf(tx.c(), mailboxId);
            // Locks the mailbox: a second import of the same mailbox waits, then skips what this one stored.
            queryLong(tx.c(), "SELECT uidnext FROM mailboxes WHERE id = ? FOR UPDATE", mailboxId);
            Set<Long> present = new HashSet<>();
            for (ImportedMessage message : messages) {
                if (queryLong(tx.c(), "SELECT 1 FROM messages WHERE mailbox_id = ? AND uid = ?", mailboxId,
                        message.uid()).isPresent()) {
                    present.add(message.uid());
                }
            }
            List<ImportedMessage> fresh = messages.stream().filter(m -> !present.contains(m.uid())).toList();
            if (fresh.isEmpty()) {
                return List.<Long>of();
            }
            long modseq = fresh.stream().anyMatch(m -> m.modseq() == 0) ? nextModseq(tx.c(), mailboxId) : 0;
            List<Long> uids = new ArrayList<>();
            long highest = 0;
            long highestModseq = 0;
            for (ImportedMessage message : fresh) {
                long bodyId = BodyChunks.insert(tx.c(), message.content(), 1);
                long kept = message.modseq() == 0 ? modseq : message.modseq();
                insertMessage(tx.c(), mailboxId, message.uid(), accountId, bodyId,
                        FlagSet.encode(FlagSet.normalize(message.flags())), kept, message.content().size(),
                        message.internalDate());
                uids.add(message.uid());
                highest = Math.max(highest, message.uid());
                highestModseq = Math.max(highestModseq, kept);
            }
            raiseUidNext(tx.c(), mailboxId, highest + 1);
            // The usage count changes in the same row update, under the lock taken above.
            raiseHighestModseq(tx.c(), mailboxId, highestModseq,
                    fresh.stream().mapToLong(message -> message.content().size()).sum());
            uids.sort(null);
            tx.publishAfterCommit(new MessagesAdded(accountId, mailboxId, List.copyOf(uids)));
            return uids;
        });
        return stored;
    }

    @Override
    public void importHighestModseq(long mailboxId, long highestModseq) {
        write(tx -> {
            raiseHighestModseq(tx.c(), mailboxId, highestModseq, 0);
            return null;
        });
    }

    private static void raiseHighestModseq(Connection c, long mailboxId, long atLeast, long addedBytes)
            throws SQLException {
        if (update(c, "UPDATE mailboxes SET highestmodseq = greatest(highestmodseq, ?), used = used + ? WHERE id = ?",
                atLeast, addedBytes, mailboxId) == 0) {
            throw new StoreException("no such mailbox");
        }
    }

    @Override
    public void importMetadataValue(long accountId, String entry, String value, Instant setAt, Instant expiresAt,
                                    int maxValues) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("maxValues must be at least 1");
        }
        write(tx -> {
            addValue(tx.c(), accountId, entry, value, setAt, expiresAt, maxValues);
            return null;
        });
    }

    @Override
    public int expiredMetadataValues(String entry, Instant now) {
        return read(c -> queryLong(c, "SELECT count(*) FROM metadata WHERE mailbox_id IS NULL AND name = ?"
                + " AND expires_at IS NOT NULL AND expires_at <= ?", entry, now.toEpochMilli()).orElse(0L).intValue());
    }

    @Override
    public int deleteExpiredMetadataValues(String entry, Instant now, int limit) {
        return write(tx -> update(tx.c(), "DELETE FROM metadata WHERE id IN (SELECT id FROM metadata"
                + " WHERE mailbox_id IS NULL AND name = ? AND expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)",
                entry, now.toEpochMilli(), limit));
    }

    @Override
    public MailboxEvents events() {
        return events;
    }

    /** Unless it owns the database, the storage that opened it closes it, after every user. */
    @Override
    public void close() {
        if (ownsDatabase) {
            db.close();
        }
    }

    private static final class Added {
        private final Map<Long, List<Long>> uids = new LinkedHashMap<>();
        private final Map<Long, Long> accounts = new LinkedHashMap<>();

        void add(long accountId, long mailboxId, long uid) {
            uids.computeIfAbsent(mailboxId, id -> new ArrayList<>()).add(uid);
            accounts.put(mailboxId, accountId);
        }

        void publish(PgTx tx) {
            uids.forEach((mailboxId, list) -> {
                List<Long> sorted = new ArrayList<>(list);
                sorted.sort(null);
                tx.publishAfterCommit(new MessagesAdded(accounts.get(mailboxId), mailboxId, List.copyOf(sorted)));
            });
        }
    }
}
