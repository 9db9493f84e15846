package chatmail.storage;

import chatmail.account.NocreateFile;
import chatmail.account.SharedCreationSwitch;
import chatmail.acme.AcmeAccount;
import chatmail.acme.FileAcmeState;
import chatmail.acme.PostgresAcmeState;
import chatmail.config.Config;
import chatmail.config.StorageSettings;
import chatmail.delivery.outbound.PostgresOutboundQueueStore;
import chatmail.delivery.outbound.QueuedContent;
import chatmail.delivery.outbound.QueuedRecipient;
import chatmail.delivery.outbound.SqliteOutboundQueueStore;
import chatmail.push.PostgresPushQueueStore;
import chatmail.store.MailStore;
import chatmail.store.StoreStatistics;
import chatmail.store.postgresql.PostgresDatabase;
import chatmail.store.postgresql.PostgresMailStore;
import chatmail.store.sqlite.SqliteBackupSource;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.store.sqlite.SqliteMoveSource;
import chatmail.tls.KeyMaterial;
import chatmail.turn.SharedTurnSecret;
import chatmail.turn.TurnSecretFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
    @SuppressWarnings("try") // the lock is held for the block, not used in it
    public MoveReport run(PrintWriter out) throws RefusedException, IOException {
        long t0 = System.nanoTime();
        StorageSettings target = StorageSettings.postgresql(config.storage().postgresqlUrl(),
                config.storage().postgresqlPasswordFile());
        try (PostgresDatabase db = PostgresDatabase.open(target, jobs + 2)) {
            MoveTarget database = new MoveTarget(db);
            Optional<MoveTarget.Held> lock = database.lock();
            if (lock.isEmpty()) {
                throw new RefusedException("another move into this PostgreSQL database is running; nothing was written");
            }
            try (MoveTarget.Held held = lock.get()) {
                move(db, database, out);
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
            Map<Long, Long> accountIds = new AccountMove(source, rows, store, jobs, progressInterval, report).run(total, out);
            pushQueue(rows, new PostgresPushQueueStore(db), accountIds);
            outboundQueue(new PostgresOutboundQueueStore(db));
            check(config.dataDir(), store);
        }
        acme(new PostgresAcmeState(db));
        turnSecret(new SharedTurnSecret(db));
        if (new NocreateFile(config.dataDir()).off()) {
            new SharedCreationSwitch(db, false).set(true);
            report.creationOff = true;
        }
        database.finish(clock.instant().toString());
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
                // A copy queued before its DKIM signature was made stays marked, so its attempt signs it.
                QueuedContent queued = source.queuedContent(message.getKey());
                byte[] content = queued.body().readAllBytes();
                target.importMessage(first.sender(), content, queued.signAtSend(), first.createdAt(), message.getValue());
                report.outboundMessages.incrementAndGet();
                report.outboundRecipients.addAndGet(message.getValue().size());
            }
        }
    }

    /**
     * The counts both stores give must agree: a last check before the move is called done. The
     * data directory's side is counted over its tables, not read from the totals its triggers
     * keep for the metrics, so that the check does not rest on what it checks.
     */
    private static void check(Path dataDir, MailStore target) throws IOException {
        Map<String, Long> before = SqliteBackupSource.counts(dataDir);
        StoreStatistics after = target.statistics(LocalDate.now(ZoneOffset.UTC));
        long accounts = before.get("accounts");
        long messages = before.get("messages");
        if (accounts != after.accounts() || messages != after.messages()) {
            throw new IllegalStateException("the database holds " + after.accounts() + " accounts and " + after.messages()
                    + " messages after the move, data_dir " + accounts + " and " + messages);
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
