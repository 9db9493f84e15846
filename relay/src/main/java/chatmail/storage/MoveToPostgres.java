package chatmail.storage;

import chatmail.account.NocreateFile;
import chatmail.account.SharedCreationSwitch;
import chatmail.acme.AcmeAccount;
import chatmail.acme.FileAcmeState;
import chatmail.acme.PostgresAcmeState;
import chatmail.config.Config;
import chatmail.config.StorageSettings;
import chatmail.delivery.outbound.PostgresOutboundQueueStore;
import chatmail.delivery.outbound.QueuedRecipient;
import chatmail.delivery.outbound.SqliteOutboundQueueStore;
import chatmail.imap.DeviceTokens;
import chatmail.push.PostgresPushQueueStore;
import chatmail.store.Account;
import chatmail.store.ImportedMessage;
import chatmail.store.MailStore;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import chatmail.store.StoreStatistics;
import chatmail.store.postgresql.PostgresDatabase;
import chatmail.store.postgresql.PostgresMailStore;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.store.sqlite.SqliteMoveSource;
import chatmail.tls.KeyMaterial;
import chatmail.turn.SharedTurnSecret;
import chatmail.turn.TurnSecretFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code chatmail move-to-postgresql} (SCALE-1, MIG-*): copies a single relay's state from
 * {@code data_dir} (SQLite, the ACME and TURN files, {@code nocreate}) into the PostgreSQL
 * database its nodes will share, through the stores' import APIs: accounts with their hashes and
 * days, mailboxes with UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ, messages with their UIDs, MODSEQs,
 * flags and internal dates, device tokens, login verifiers, both queues with their retry state,
 * the ACME account and certificate, the TURN secret and the account-creation switch. A client
 * connected before sees the same mailboxes afterwards and neither misses nor fetches again a
 * message. The source is only read. The caller holds the data_dir lock.
 */
public final class MoveToPostgres {
    private static final int ACCOUNT_PAGE = 500;
    private static final int BATCH_MESSAGES = 100;
    private static final long BATCH_BYTES = 16L << 20;
    /** Later than any last-login day: the page query then lists every account. */
    private static final LocalDate EVERY_ACCOUNT = LocalDate.of(9999, 1, 1);
    private static final Instant EVERY_ENTRY = Instant.parse("9999-01-01T00:00:00Z");

    private final Config config;
    private final Clock clock;
    private final int jobs;
    private final Duration progressInterval;
    private final MoveReport report = new MoveReport();

    /** A database that must not take the move; nothing was written. */
    public static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }

    public MoveToPostgres(Config config, Clock clock, int jobs, Duration progressInterval) {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1");
        }
        this.config = config;
        this.clock = clock;
        this.jobs = jobs;
        this.progressInterval = progressInterval;
    }

    /**
     * Moves everything into the database of {@code postgresql_url}, printing progress and the
     * summary to {@code out}.
     *
     * @throws RefusedException when the database holds data of its own
     * @throws chatmail.store.StoreException when either store fails: the move stays unfinished and
     *     a second run starts it over
     */
    public MoveReport run(PrintWriter out) throws RefusedException, IOException {
        long t0 = System.nanoTime();
        StorageSettings target = StorageSettings.postgresql(config.storage().postgresqlUrl(),
                config.storage().postgresqlPasswordFile());
        try (PostgresDatabase db = PostgresDatabase.open(target, jobs + 2)) {
            MoveTarget database = new MoveTarget(db);
            Optional<AutoCloseable> lock = database.lock();
            if (lock.isEmpty()) {
                throw new RefusedException("another move into this PostgreSQL database is running; nothing was written");
            }
            try (AutoCloseable held = lock.get()) {
                move(db, database, out);
            } catch (RefusedException | IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("cannot let go of the move lock", e);
            }
        }
        report.print(out, Duration.ofNanos(System.nanoTime() - t0));
        return report;
    }

    private void move(PostgresDatabase db, MoveTarget database, PrintWriter out) throws RefusedException, IOException {
        Optional<String> refusal = database.refusal();
        if (refusal.isPresent()) {
            throw new RefusedException(refusal.get());
        }
        if (database.marker().isPresent()) {
            out.println("move-to-postgresql: an earlier move into this database stopped before its end;"
                    + " emptying it and starting over");
        }
        database.start(clock.instant().toString());
        PostgresMailStore store = new PostgresMailStore(db, clock, events -> { }, false);
        try (SqliteMailStore source = SqliteMailStore.open(config.dataDir(), clock);
                SqliteMoveSource rows = SqliteMoveSource.open(config.dataDir())) {
            long total = source.accountCount();
            out.printf(Locale.ROOT, "move-to-postgresql: moving %d accounts from %s%n", total, config.dataDir());
            out.flush();
            database.raiseUidValidityCounter(rows.lastUidValidity());
            long ignored = rows.mailboxMetadataValues();
            if (ignored > 0) {
                out.printf(Locale.ROOT, "move-to-postgresql: %d metadata values on mailboxes left out (this relay"
                        + " never sets any)%n", ignored);
            }
            Map<Long, Long> accountIds = accounts(source, rows, store, total, out);
            pushQueue(rows, new PostgresPushQueueStore(db), accountIds);
            outboundQueue(new PostgresOutboundQueueStore(db));
            check(source, store);
        }
        acme(new PostgresAcmeState(db));
        turnSecret(new SharedTurnSecret(db));
        if (new NocreateFile(config.dataDir()).off()) {
            new SharedCreationSwitch(db, false).set(true);
            report.creationOff = true;
        }
        database.finish(clock.instant().toString());
    }

    @SuppressWarnings("try") // the progress printer runs for the block, not used in it
    private Map<Long, Long> accounts(SqliteMailStore source, SqliteMoveSource rows, MailStore target, long total,
                                     PrintWriter out) {
        Map<Long, Long> ids = new ConcurrentHashMap<>();
        AtomicReference<RuntimeException> fatal = new AtomicReference<>();
        Semaphore slots = new Semaphore(jobs);
        try (AutoCloseable progress = progress(out, total);
                ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            long after = 0;
            pages:
            while (true) {
                List<Account> page = source.accountsLastLoginBefore(EVERY_ACCOUNT, after, ACCOUNT_PAGE);
                for (Account account : page) {
                    slots.acquireUninterruptibly();
                    if (fatal.get() != null) {
                        slots.release();
                        break pages;
                    }
                    workers.submit(() -> {
                        try {
                            ids.put(account.id(), account(source, rows, target, account));
                        } catch (IOException e) {
                            fatal.compareAndSet(null, new java.io.UncheckedIOException(e));
                        } catch (RuntimeException e) {
                            fatal.compareAndSet(null, e);
                        } finally {
                            slots.release();
                        }
                    });
                }
                if (page.size() < ACCOUNT_PAGE) {
                    break;
                }
                after = page.getLast().id();
            }
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        if (fatal.get() != null) {
            throw fatal.get();
        }
        return ids;
    }

    private AutoCloseable progress(PrintWriter out, long total) {
        ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("move-progress").factory());
        long seconds = Math.max(1, progressInterval.toSeconds());
        printer.scheduleAtFixedRate(() -> {
            synchronized (out) {
                out.printf(Locale.ROOT, "move-to-postgresql: %d of %d accounts, %d messages (%d bytes)%n",
                        report.accounts.get(), total, report.messages.get(), report.bytes.get());
                out.flush();
            }
        }, seconds, seconds, TimeUnit.SECONDS);
        return printer::shutdownNow;
    }

    /** One account with everything it holds; returns its id in the target. */
    private long account(SqliteMailStore source, SqliteMoveSource rows, MailStore target, Account account)
            throws IOException {
        Account moved = target.importAccount(account.address(), account.passwordHash(), account.created(),
                account.lastLogin());
        if (!moved.passwordHash().equals(account.passwordHash()) || !moved.created().equals(account.created())) {
            throw new IllegalStateException("account " + account.id() + " met another account in the target");
        }
        for (SqliteMoveSource.Verifier verifier : rows.verifiers(account.id())) {
            target.saveLoginVerifier(moved.id(), verifier.keyId(), verifier.verifier());
            report.verifiers.incrementAndGet();
        }
        for (SqliteMoveSource.MetadataValue value : rows.metadata(account.id())) {
            int maxValues = value.entry().equals(DeviceTokens.ENTRY) ? DeviceTokens.MAX_PER_ACCOUNT : Integer.MAX_VALUE;
            target.importMetadataValue(moved.id(), value.entry(), value.value(), value.setAt(),
                    value.expiresAt().orElse(value.setAt().plus(DeviceTokens.LIFETIME)), maxValues);
            report.metadataValues.incrementAndGet();
        }
        for (Mailbox mailbox : source.mailboxes(account.id())) {
            mailbox(source, target, moved, mailbox);
        }
        report.accounts.incrementAndGet();
        return moved.id();
    }

    private void mailbox(SqliteMailStore source, MailStore target, Account account, Mailbox mailbox) throws IOException {
        MailboxSnapshot snapshot = source.snapshot(mailbox.id());
        Mailbox moved = target.importMailbox(account.id(), mailbox.name(), mailbox.uidValidity(), snapshot.uidNext());
        if (moved.uidValidity() != mailbox.uidValidity()) {
            throw new IllegalStateException("mailbox " + mailbox.id() + " kept another UIDVALIDITY in the target");
        }
        List<ImportedMessage> batch = new ArrayList<>();
        long batchBytes = 0;
        for (MessageInfo message : snapshot.messages()) {
            batch.add(new ImportedMessage(message.uid(), message.flags(), message.internalDate(),
                    new StoredMessageBody(source, mailbox.id(), message.uid(), message.size()), message.modseq()));
            batchBytes += message.size();
            if (batch.size() >= BATCH_MESSAGES || batchBytes >= BATCH_BYTES) {
                store(target, moved, batch);
                batch.clear();
                batchBytes = 0;
            }
        }
        store(target, moved, batch);
        long highestMoved = snapshot.messages().stream().mapToLong(MessageInfo::modseq).max().orElse(0);
        // Storing the messages raised it to their highest MODSEQ; expunges and flag changes of
        // messages gone since may have taken it further, which one more commit carries.
        if (snapshot.highestModseq() > highestMoved) {
            target.importHighestModseq(moved.id(), snapshot.highestModseq());
        }
        report.mailboxes.incrementAndGet();
    }

    private void store(MailStore target, Mailbox mailbox, List<ImportedMessage> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<Long> stored = target.importMessages(mailbox.id(), batch);
        if (stored.size() != batch.size()) {
            throw new IllegalStateException("mailbox " + mailbox.id() + " held some UIDs already in the target");
        }
        report.messages.addAndGet(batch.size());
        report.bytes.addAndGet(batch.stream().mapToLong(m -> m.content().size()).sum());
    }

    private void pushQueue(SqliteMoveSource rows, PostgresPushQueueStore target, Map<Long, Long> accountIds) {
        for (SqliteMoveSource.QueuedPush push : rows.pushQueue()) {
            Long account = accountIds.get(push.job().accountId());
            if (account == null) {
                throw new IllegalStateException("push notification " + push.job().id() + " of an account not moved");
            }
            target.importJob(account, push.job(), push.createdAt());
            report.pushJobs.incrementAndGet();
        }
    }

    /** Unclaimed afterwards: the first node due takes each entry, as after a restart. */
    private void outboundQueue(PostgresOutboundQueueStore target) throws IOException {
        try (SqliteOutboundQueueStore source = SqliteOutboundQueueStore.open(config.dataDir())) {
            Map<Long, List<QueuedRecipient>> byMessage = new LinkedHashMap<>();
            for (QueuedRecipient entry : source.due(EVERY_ENTRY, Integer.MAX_VALUE)) {
                byMessage.computeIfAbsent(entry.messageId(), id -> new ArrayList<>()).add(entry);
            }
            for (Map.Entry<Long, List<QueuedRecipient>> message : byMessage.entrySet()) {
                QueuedRecipient first = message.getValue().getFirst();
                // One queued message at a time in memory: the PostgreSQL queue keeps it as one value.
                byte[] content = source.messageBody(message.getKey()).readAllBytes();
                target.importMessage(first.sender(), content, first.createdAt(), message.getValue());
                report.outboundMessages.incrementAndGet();
                report.outboundRecipients.addAndGet(message.getValue().size());
            }
        }
    }

    /** The counts both stores give must agree: a last check before the move is called done. */
    private static void check(MailStore source, MailStore target) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        StoreStatistics before = source.statistics(today);
        StoreStatistics after = target.statistics(today);
        if (before.accounts() != after.accounts() || before.messages() != after.messages()) {
            throw new IllegalStateException("the database holds " + after.accounts() + " accounts and " + after.messages()
                    + " messages after the move, data_dir " + before.accounts() + " and " + before.messages());
        }
    }

    private void acme(PostgresAcmeState target) throws IOException {
        FileAcmeState source = new FileAcmeState(config.dataDir());
        Optional<AcmeAccount> account = source.account();
        if (account.isPresent()) {
            target.saveAccount(account.get());
            report.acmeAccount = true;
        }
        Optional<KeyMaterial> certificate = source.certificate();
        if (certificate.isPresent()) {
            target.saveCertificate(certificate.get());
            report.certificate = true;
        }
    }

    private void turnSecret(SharedTurnSecret target) throws IOException {
        TurnSecretFile file = new TurnSecretFile(config.dataDir());
        if (!Files.exists(file.file())) {
            return;
        }
        String secret = file.secret();
        if (!target.adopt(secret).equals(secret)) {
            throw new IllegalStateException("the database holds another TURN secret");
        }
        report.turnSecret = true;
    }
}
