package chatmail.store.sqlite;

import chatmail.files.PrivateFiles;
import chatmail.store.Acceptance;
import chatmail.store.Account;
import chatmail.store.AccountUsage;
import chatmail.store.Committed;
import chatmail.store.DeliveryMailboxIds;
import chatmail.store.DeliveryTarget;
import chatmail.store.ImportedMessage;
import chatmail.store.LoginRecord;
import chatmail.store.Mailbox;
import chatmail.store.MailboxChanges;
import chatmail.store.MailboxEvents;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MailStore;
import chatmail.store.MessageBody;
import chatmail.store.MessageInfo;
import chatmail.store.MessageRef;
import chatmail.store.QueuedCopy;
import chatmail.store.QueuedEntries;
import chatmail.store.StoreException;
import chatmail.store.StoredContent;
import chatmail.store.StoreStatistics;
import chatmail.store.StoredMessage;
import chatmail.store.sqlite.MessageChanges.PreparedBody;
import chatmail.store.sqlite.MessageChanges.PreparedTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: SQLite in WAL mode plus body files for large messages, under one data
 * directory. sqlite-jdbc is native code and would pin virtual threads, so callers only hand
 * work to the store's platform threads (one writer that group-commits, a few readers) and
 * wait for the result.
 */
public final class SqliteMailStore implements MailStore {
    private static final Logger log = LoggerFactory.getLogger(SqliteMailStore.class);
    /** How often the background thread copies the WAL into the database file. */
    private static final java.time.Duration CHECKPOINT_INTERVAL = java.time.Duration.ofMillis(100);

    private final Clock clock;
    private final SqliteStoreSettings settings;
    private final BodyFiles bodyFiles;
    private final QueueFiles queueFiles;
    private final StatementCache writerConnection;
    private final GroupCommitWriter writer;
    private final ReaderPool readers;
    private final WalCheckpointer checkpointer;
    private final StoreEventHub events;
    private final LoginDays loginDays = new LoginDays();
    private final DeliveryMailboxIds deliveryMailboxes = new DeliveryMailboxIds(DeliveryMailboxIds.CAPACITY);
    private final AtomicBoolean closed = new AtomicBoolean();

    private SqliteMailStore(Clock clock, SqliteStoreSettings settings, BodyFiles bodyFiles, QueueFiles queueFiles,
                            StatementCache writerConnection, List<StatementCache> readerConnections,
                            WalCheckpointer checkpointer) {
        this.checkpointer = checkpointer;
        this.clock = clock;
        this.settings = settings;
        this.bodyFiles = bodyFiles;
        this.queueFiles = queueFiles;
        this.writerConnection = writerConnection;
        this.events = new StoreEventHub();
        this.writer = new GroupCommitWriter(writerConnection, events, settings.maxBatchSize(), checkpointer,
                GroupCommitWriter.BACKGROUND_PATIENCE);
        this.readers = new ReaderPool(readerConnections);
        writer.start();
        readers.start();
        checkpointer.start();
    }

    public static SqliteMailStore open(Path dataDir, Clock clock) {
        return open(dataDir, clock, SqliteStoreSettings.defaults());
    }

    /** Opens (creating or migrating as needed) the store in {@code dataDir}. */
    public static SqliteMailStore open(Path dataDir, Clock clock, SqliteStoreSettings settings) {
        return open(dataDir, clock, settings, StatementCache::new);
    }

    /** As above, each connection's statements kept by what {@code statements} makes (a test records the SQL). */
    static SqliteMailStore open(Path dataDir, Clock clock, SqliteStoreSettings settings,
                                Function<Connection, StatementCache> statements) {
        Objects.requireNonNull(clock, "clock");
        List<StatementCache> opened = new ArrayList<>();
        try {
            PrivateFiles.createDirectories(dataDir);
            SqliteDatabase database = new SqliteDatabase(dataDir, settings);
            StatementCache writerConnection = statements.apply(database.openWriter());
            opened.add(writerConnection);
            database.migrate(writerConnection.connection());
            BodyFiles bodyFiles = BodyFiles.open(dataDir);
            // A backup may hold released files (MIG-2); without a live hold its list is stale.
            BackupHolds.clearWhenNotHeld(writerConnection);
            int orphans = bodyFiles.removeOrphans(name -> referenced(writerConnection, name));
            if (orphans > 0) {
                log.info("removed {} unreferenced body files", orphans);
            }
            List<StatementCache> readerConnections = new ArrayList<>();
            for (int i = 0; i < settings.readerThreads(); i++) {
                StatementCache reader = statements.apply(database.openReader());
                opened.add(reader);
                readerConnections.add(reader);
            }
            QueueFiles queueFiles = QueueFiles.open(dataDir);
            Connection checkpoints = database.openCheckpointer();
            return new SqliteMailStore(clock, settings, bodyFiles, queueFiles, writerConnection,
                    readerConnections, new WalCheckpointer(checkpoints, CHECKPOINT_INTERVAL));
        } catch (SQLException | IOException | RuntimeException e) {
            for (StatementCache connection : opened) {
                try {
                    connection.close();
                } catch (SQLException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw StoreFailures.translate(e instanceof org.flywaydb.core.api.FlywayException
                    ? new SQLException("schema migration failed", e) : e);
        }
    }

    private static boolean referenced(StatementCache sql, String file) {
        try {
            return BodyTable.fileReferenced(sql, file) || BackupHolds.deferred(sql, file);
        } catch (SQLException e) {
            throw new StoreException("cannot check body files", e);
        }
    }

    /** How many transactions the writer has committed; concurrent writes share commits. */
    public long commitCount() {
        return writer.commitCount();
    }

    // ---- accounts

    @Override
    public Optional<Account> findAccount(String address) {
        Optional<Account> account = read(sql -> AccountTable.find(sql, address));
        account.ifPresent(found -> loginDays.markRecorded(found.id(), found.lastLogin()));
        return account;
    }

    /**
     * In one read: each read is a round trip through a reader thread (two hand-offs and a
     * transaction), and a recipient check on the way of every message from another relay made two
     * (together about half a millisecond of relay 2's time in the federation trace,
     * docs/benchmarks.md "Federation", seventh pass).
     */
    @Override
    public Optional<AccountUsage> findAccountWithUsage(String address) {
        Optional<AccountUsage> found = read(sql -> {
            Optional<Account> account = AccountTable.find(sql, address);
            return account.isEmpty() ? Optional.<AccountUsage>empty()
                    : Optional.of(new AccountUsage(account.get(), MessageTable.usage(sql, account.get().id())));
        });
        found.ifPresent(f -> loginDays.markRecorded(f.account().id(), f.account().lastLogin()));
        return found;
    }

    @Override
    public Optional<LoginRecord> findLogin(String address, long verifierKeyId) {
        Optional<LoginRecord> login = read(sql -> AccountTable.findLogin(sql, address, verifierKeyId));
        login.ifPresent(found -> loginDays.markRecorded(found.account().id(), found.account().lastLogin()));
        return login;
    }

    @Override
    public void saveLoginVerifier(long accountId, long verifierKeyId, byte[] verifier) {
        byte[] copy = verifier.clone();
        write(tx -> {
            AccountTable.saveLoginVerifier(tx.sql(), accountId, verifierKeyId, copy);
            return null;
        });
    }

    @Override
    public Account createAccountIfAbsent(String address, String passwordHash, LocalDate today) {
        Account account = write(tx -> {
            Optional<Long> created = AccountTable.insertIfAbsent(tx.sql(), address, passwordHash, today);
            if (created.isPresent()) {
                MailboxTable.createIfAbsent(tx, clock, created.get(), MailboxTable.INBOX);
            }
            return AccountTable.find(tx.sql(), address).orElseThrow();
        });
        loginDays.markRecorded(account.id(), account.lastLogin());
        return account;
    }

    @Override
    public void recordLogin(long accountId, LocalDate day) {
        if (loginDays.isRecorded(accountId, day)) {
            return;
        }
        write(tx -> {
            AccountTable.recordLogin(tx.sql(), accountId, day);
            return null;
        });
        loginDays.markRecorded(accountId, day);
    }

    @Override
    public List<Account> accountsLastLoginBefore(LocalDate day, long afterId, int limit) {
        return read(sql -> AccountTable.lastLoginBefore(sql, day, afterId, limit));
    }

    @Override
    public void deleteAccount(long accountId) {
        write(tx -> AccountTable.delete(tx, bodyFiles, accountId));
        loginDays.forget(accountId);
        deliveryMailboxes.forgetAccount(accountId);
    }

    @Override
    public long accountCount() {
        return read(AccountTable::count);
    }

    @Override
    public StoreStatistics statistics(LocalDate today) {
        return read(sql -> StatisticsQueries.of(sql, today));
    }

    // ---- mailboxes

    @Override
    public List<Mailbox> mailboxes(long accountId) {
        return read(sql -> MailboxTable.list(sql, accountId));
    }

    @Override
    public Optional<Mailbox> mailbox(long accountId, String name) {
        return read(sql -> MailboxTable.find(sql, accountId, name));
    }

    @Override
    public Mailbox createMailbox(long accountId, String name) {
        return write(tx -> MailboxTable.createIfAbsent(tx, clock, accountId, name));
    }

    @Override
    public long deliveryMailboxId(long accountId, String name) {
        return deliveryMailboxes.id(accountId, name, () -> MailStore.super.deliveryMailboxId(accountId, name));
    }

    // ---- messages

    @Override
    public Committed commit(Acceptance acceptance) {
        // Files are written (or spool files renamed) and fsynced here, on the caller's thread,
        // so the writer thread spends its time on SQL only and many callers' files are written
        // in parallel. The queue's file comes first: it may be a second name of a spool file
        // that a local copy then renames into blobs/.
        List<Path> written = new ArrayList<>();
        PreparedQueued queued = null;
        List<PreparedCopy> copies = new ArrayList<>();
        try {
            if (acceptance.queued().isPresent()) {
                queued = prepareQueued(acceptance.queued().get(), written);
            }
            for (Acceptance.Copy copy : acceptance.copies()) {
                copies.add(prepareCopy(copy, written));
            }
        } catch (IOException | RuntimeException e) {
            written.forEach(SqliteMailStore::deleteQuietly);
            throw StoreFailures.translate(e);
        }
        PreparedQueued queuedRow = queued;
        CompletableFuture<Committed> result = submitWrite(tx -> {
            List<List<StoredMessage>> stored = new ArrayList<>();
            for (PreparedCopy copy : copies) {
                stored.add(copy.targets().isEmpty() ? List.of()
                        : MessageChanges.deliver(tx, copy.body(), copy.internalDate(), copy.targets()));
            }
            Optional<QueuedEntries> entries = Optional.empty();
            if (queuedRow != null) {
                QueuedCopy q = queuedRow.copy();
                entries = Optional.of(OutboundRows.insert(tx.sql().connection(), q.sender(), q.recipients(),
                        queuedRow.content(), queuedRow.file(), q.createdAt(), q.claimedUntil(), q.signAtSend()));
            }
            return new Committed(stored, entries);
        });
        try {
            return await(result);
        } catch (StoreException e) {
            // Only a failure we know of frees the files: after a time-out the commit may still come.
            if (result.isCompletedExceptionally()) {
                written.forEach(SqliteMailStore::deleteQuietly);
            }
            throw e;
        }
    }

    private record PreparedCopy(PreparedBody body, java.time.Instant internalDate, List<PreparedTarget> targets) {}

    private record PreparedQueued(QueuedCopy copy, byte[] content, String file) {}

    private PreparedCopy prepareCopy(Acceptance.Copy copy, List<Path> written) throws IOException {
        List<PreparedTarget> targets = copy.targets().stream()
                .map(target -> new PreparedTarget(target.mailboxId(), FlagSet.encode(FlagSet.normalize(target.flags()))))
                .toList();
        MessageBody content = copy.message().content();
        if (targets.isEmpty()) {
            return new PreparedCopy(null, copy.message().internalDate(), targets);
        }
        if (content.size() > BodyFiles.INLINE_LIMIT) {
            String file = bodyFiles.write(content);
            written.add(bodyFiles.path(file));
            return new PreparedCopy(new PreparedBody(content.size(), null, file), copy.message().internalDate(), targets);
        }
        return new PreparedCopy(new PreparedBody(content.size(), content.readAllBytes(), null),
                copy.message().internalDate(), targets);
    }

    private PreparedQueued prepareQueued(QueuedCopy copy, List<Path> written) throws IOException {
        if (copy.size() <= BodyFiles.INLINE_LIMIT) {
            byte[] body = copy.body().readAllBytes();
            byte[] content = new byte[copy.header().length + body.length];
            System.arraycopy(copy.header(), 0, content, 0, copy.header().length);
            System.arraycopy(body, 0, content, copy.header().length, body.length);
            return new PreparedQueued(copy, content, null);
        }
        String file = queueFiles.store(copy.body());
        written.add(queueFiles.path(file));
        return new PreparedQueued(copy, copy.header(), file);
    }

    @Override
    public MailboxSnapshot snapshot(long mailboxId) {
        return read(sql -> {
            MailboxTable.Counters counters = MailboxTable.counters(sql, mailboxId)
                    .orElseThrow(() -> new StoreException("no such mailbox"));
            return new MailboxSnapshot(counters.mailbox(), counters.uidNext(), counters.highestModseq(),
                    MessageTable.list(sql, mailboxId));
        });
    }

    /** Uses V10's expunged_modseq and the index on (mailbox_id, modseq). */
    @Override
    public Optional<MailboxChanges> changesSince(long mailboxId, long modseq) {
        return read(sql -> MailboxTable.changesSince(sql, mailboxId, modseq));
    }

    @Override
    public byte[] content(long mailboxId, long uid) throws IOException {
        MessageTable.Content content = read(sql -> MessageTable.content(sql, mailboxId, uid))
                .orElseThrow(() -> new StoreException("no such message"));
        if (content.file() == null) {
            return content.inline();
        }
        // Read on the caller's thread: file I/O needs no database connection.
        return bodyFiles.read(content.file());
    }

    @Override
    public StoredContent open(long mailboxId, long uid) throws IOException {
        MessageTable.Content content = read(sql -> MessageTable.content(sql, mailboxId, uid))
                .orElseThrow(() -> new StoreException("no such message"));
        if (content.file() == null) {
            return StoredContent.of(content.inline());
        }
        return BodyFileContent.open(bodyFiles.path(content.file()));
    }

    @Override
    public List<MessageInfo> updateFlags(long mailboxId, Collection<Long> uids, FlagUpdate update, Set<String> flags) {
        TreeSet<String> normalized = FlagSet.normalize(flags);
        List<Long> uidList = List.copyOf(uids);
        return write(tx -> MessageChanges.updateFlags(tx, mailboxId, uidList, update, normalized));
    }

    @Override
    public List<Long> expunge(long mailboxId, Collection<Long> uids) {
        List<Long> uidList = List.copyOf(uids);
        return write(tx -> MessageChanges.expunge(tx, bodyFiles, mailboxId, uidList));
    }

    @Override
    public List<StoredMessage> copy(long fromMailboxId, Collection<Long> uids, long toMailboxId) {
        List<Long> uidList = List.copyOf(uids);
        return write(tx -> MessageChanges.copy(tx, fromMailboxId, uidList, toMailboxId));
    }

    @Override
    public long usage(long accountId) {
        return read(sql -> MessageTable.usage(sql, accountId));
    }

    // ---- expiry

    @Override
    public List<MessageRef> messagesReceivedBefore(Instant cutoff, MessageRef after, int limit) {
        return read(sql -> MessageTable.receivedBefore(sql, cutoff, after, limit));
    }

    @Override
    public List<MessageRef> seenMessagesLargerThan(long minSize, Instant cutoff, MessageRef after, int limit) {
        return read(sql -> MessageTable.seenLargerThan(sql, minSize, cutoff, after, limit));
    }

    @Override
    public List<MessageRef> messagesOldestFirst(long accountId, MessageRef after, int limit) {
        return read(sql -> MessageTable.oldestFirst(sql, accountId, after, limit));
    }

    @Override
    public void delete(Collection<MessageRef> messages) {
        if (messages.isEmpty()) {
            return;
        }
        List<MessageRef> refs = List.copyOf(messages);
        write(tx -> {
            MessageChanges.delete(tx, bodyFiles, refs);
            return null;
        });
    }

    /**
     * One background write of the writer (no delivery shares it or waits for more than it),
     * stopped after the settings' yielding write budget of SQL.
     */
    @Override
    public int deleteYielding(List<MessageRef> messages) {
        if (messages.isEmpty()) {
            return 0;
        }
        List<MessageRef> refs = List.copyOf(messages);
        return await(writer.submitBackground(
                tx -> MessageChanges.delete(tx, bodyFiles, refs, settings.yieldingWriteBudget().toNanos())));
    }

    // ---- metadata

    @Override
    public void addMetadataValue(long accountId, String entry, String value, Instant expiresAt, int maxValues) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("maxValues must be at least 1");
        }
        Instant now = clock.instant();
        write(tx -> {
            MetadataTable.addValue(tx, accountId, entry, value, now, expiresAt, maxValues);
            return null;
        });
    }

    @Override
    public List<String> metadataValues(long accountId, String entry, Instant now) {
        return read(sql -> MetadataTable.values(sql, accountId, entry, now));
    }

    @Override
    public void removeMetadataValue(long accountId, String entry, String value) {
        write(tx -> {
            MetadataTable.removeValue(tx, accountId, entry, value);
            return null;
        });
    }

    @Override
    public void clearMetadata(long accountId, String entry) {
        write(tx -> {
            MetadataTable.clear(tx, accountId, entry);
            return null;
        });
    }

    // ---- import (MIG-1)

    @Override
    public Account importAccount(String address, String passwordHash, LocalDate created, LocalDate lastLogin) {
        Account account = write(tx -> ImportChanges.account(tx, clock, address, passwordHash, created, lastLogin));
        loginDays.forget(account.id());
        return account;
    }

    @Override
    public Mailbox importMailbox(long accountId, String name, long uidValidity, long uidNext) {
        ImportChanges.checkCounters(uidValidity, uidNext);
        return write(tx -> ImportChanges.mailbox(tx, accountId, name, uidValidity, uidNext));
    }

    @Override
    public List<Long> importMessages(long mailboxId, List<ImportedMessage> messages) {
        if (messages.isEmpty()) {
            return List.of();
        }
        Set<Long> present = read(sql -> ImportChanges.existingUids(sql, mailboxId,
                messages.stream().map(ImportedMessage::uid).toList()));
        List<ImportChanges.Prepared> prepared = new ArrayList<>();
        try {
            for (ImportedMessage message : messages) {
                if (present.contains(message.uid())) {
                    continue;
                }
                MessageBody content = message.content();
                String flags = FlagSet.encode(FlagSet.normalize(message.flags()));
                // As in deliver: files are written and synced here, before the commit that names them.
                if (content.size() > BodyFiles.INLINE_LIMIT) {
                    prepared.add(new ImportChanges.Prepared(message.uid(), flags, message.internalDate(),
                            content.size(), null, bodyFiles.write(content), message.modseq()));
                } else {
                    prepared.add(new ImportChanges.Prepared(message.uid(), flags, message.internalDate(),
                            content.size(), content.readAllBytes(), null, message.modseq()));
                }
            }
        } catch (IOException | RuntimeException e) {
            deleteFiles(prepared);
            throw e instanceof IOException io ? StoreFailures.translate(io) : (RuntimeException) e;
        }
        if (prepared.isEmpty()) {
            return List.of();
        }
        CompletableFuture<List<Long>> result =
                submitWrite(tx -> ImportChanges.messages(tx, bodyFiles, mailboxId, prepared));
        try {
            return await(result);
        } catch (StoreException e) {
            if (result.isCompletedExceptionally()) {
                deleteFiles(prepared);
            }
            throw e;
        }
    }

    private void deleteFiles(List<ImportChanges.Prepared> prepared) {
        for (ImportChanges.Prepared p : prepared) {
            if (p.file() != null) {
                deleteQuietly(bodyFiles.path(p.file()));
            }
        }
    }

    @Override
    public void importHighestModseq(long mailboxId, long highestModseq) {
        write(tx -> {
            ImportChanges.raiseHighestModseq(tx, mailboxId, highestModseq);
            return null;
        });
    }

    @Override
    public void importMetadataValue(long accountId, String entry, String value, Instant setAt, Instant expiresAt,
                                    int maxValues) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("maxValues must be at least 1");
        }
        write(tx -> {
            MetadataTable.addValue(tx, accountId, entry, value, setAt, expiresAt, maxValues);
            return null;
        });
    }

    @Override
    public int expiredMetadataValues(String entry, Instant now) {
        return read(sql -> MetadataTable.countExpired(sql, entry, now));
    }

    @Override
    public int deleteExpiredMetadataValues(String entry, Instant now, int limit) {
        return write(tx -> MetadataTable.deleteExpired(tx, entry, now, limit));
    }

    // ---- tables of other components in this database

    /** SQL of a component that keeps its own tables in this store's database. */
    @FunctionalInterface
    public interface TableWork<T> {
        T run(TableStatements sql) throws SQLException;
    }

    /**
     * Runs {@code work} on the store's writer, in its transaction (inside a savepoint of its own,
     * so a failure undoes only this work) and returns once that is committed. A second connection
     * writing the same file would compete with the writer for SQLite's lock, and SQLite's busy
     * handler waits by sleeping (1, 2, 5, 10 … 100 ms): under load that delayed deliveries and the
     * other component alike. Here the work shares the next group commit instead.
     */
    public <T> T writeTables(TableWork<T> work) {
        return write(tx -> work.run(tx.sql()));
    }

    /** Runs {@code work} on a reader thread, in one read transaction. */
    public <T> T readTables(TableWork<T> work) {
        return read(work::run);
    }

    @Override
    public MailboxEvents events() {
        return events;
    }

    /** Lets pending writes commit, then closes every connection; later calls fail. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            checkpointer.close();
            writer.shutdown();
            readers.shutdown();
            writerConnection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while closing the store");
        } catch (SQLException e) {
            throw StoreFailures.translate(e);
        }
    }

    // ---- plumbing

    private <T> T write(SqlWork<WriteTx, T> work) {
        return await(submitWrite(work));
    }

    private <T> CompletableFuture<T> submitWrite(SqlWork<WriteTx, T> work) {
        return writer.submit(work);
    }

    private <T> T read(SqlWork<StatementCache, T> work) {
        return await(readers.submit(work));
    }

    private <T> T await(CompletableFuture<T> result) {
        try {
            return result.get(settings.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new StoreException(cause.getMessage(), cause);
        } catch (TimeoutException e) {
            log.warn("store operation timed out after {}", settings.operationTimeout());
            throw new StoreException("store operation timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the store");
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete an uncommitted body or queue file", e);
        }
    }
}
