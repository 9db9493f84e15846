package chatmail.storage;

import chatmail.imap.DeviceTokens;
import chatmail.store.Account;
import chatmail.store.ImportedMessage;
import chatmail.store.MailStore;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.store.sqlite.SqliteMoveSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The accounts part of {@link MoveToPostgres}: every account with its verifiers, metadata,
 * mailboxes and messages, {@code jobs} accounts at a time (their commits share PostgreSQL's WAL
 * flushes), printing progress meanwhile.
 */
final class AccountMove {
    private static final int ACCOUNT_PAGE = 500;
    private static final int BATCH_MESSAGES = 100;
    private static final long BATCH_BYTES = 16L << 20;
    /** Later than any last-login day: the page query then lists every account. */
    private static final LocalDate EVERY_ACCOUNT = LocalDate.of(9999, 1, 1);

    private final SqliteMailStore source;
    private final SqliteMoveSource rows;
    private final MailStore target;
    private final int jobs;
    private final Duration progressInterval;
    private final MoveReport report;

    AccountMove(SqliteMailStore source, SqliteMoveSource rows, MailStore target, int jobs, Duration progressInterval,
                MoveReport report) {
        this.source = source;
        this.rows = rows;
        this.target = target;
        this.jobs = jobs;
        this.progressInterval = progressInterval;
        this.report = report;
    }

    /** Moves every account; returns each one's id in the target by its id in the source. */
    @SuppressWarnings("try") // the progress printer runs for the block, not used in it
    Map<Long, Long> run(long total, PrintWriter out) {
        Map<Long, Long> ids = new ConcurrentHashMap<>();
        AtomicReference<RuntimeException> fatal = new AtomicReference<>();
        Semaphore slots = new Semaphore(jobs);
        try (MoveTarget.Held progress = progress(out, total);
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
                            ids.put(account.id(), account(account));
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
        }
        if (fatal.get() != null) {
            throw fatal.get();
        }
        return ids;
    }

    private MoveTarget.Held progress(PrintWriter out, long total) {
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
    private long account(Account account) throws IOException {
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
            mailbox(moved, mailbox);
        }
        report.accounts.incrementAndGet();
        return moved.id();
    }

    private void mailbox(Account account, Mailbox mailbox) throws IOException {
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
                store(moved, batch);
                batch.clear();
                batchBytes = 0;
            }
        }
        store(moved, batch);
        long highestMoved = snapshot.messages().stream().mapToLong(MessageInfo::modseq).max().orElse(0);
        // Storing the messages raised it to their highest MODSEQ; expunges and flag changes of
        // messages gone since may have taken it further, which one more commit carries.
        if (snapshot.highestModseq() > highestMoved) {
            target.importHighestModseq(moved.id(), snapshot.highestModseq());
        }
        report.mailboxes.incrementAndGet();
    }

    private void store(Mailbox mailbox, List<ImportedMessage> batch) {
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
}
