package chatmail.expiry;

import chatmail.config.Config;
import chatmail.push.PushNotifier;
import chatmail.store.Account;
import chatmail.store.MailStore;
import chatmail.store.MessageRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Deletes what the relay promises not to keep (SPEC EXP-1, ACC-6): every message older than
 * {@code delete_mails_after} days, seen messages over 200 000 bytes older than
 * {@code delete_large_after} days, and accounts without a login for
 * {@code delete_inactive_users_after} days, with all their mail; and push device tokens past
 * their expiry (SEC-9), which no notification uses any more but which would otherwise stay.
 *
 * <p>It works in pages and small batches, so however much has expired its memory stays bounded
 * and no write holds the store's single writer for long: each batch is deleted in writes that
 * yield to deliveries ({@link MailStore#deleteYielding}), with a pause after each
 * (docs/decisions.md, "Expiry"). A stop ({@link ExpiryStop}) ends a run between two store calls;
 * what it deleted stays deleted and the next run finds the rest.
 */
public final class Expiry {

    /** The reference relay's threshold for "large" messages. */
    static final long LARGE_MESSAGE_BYTES = 200_000;

    /** References read per page (a read on a reader thread). */
    static final int PAGE = 1000;

    /**
     * Messages per batch, deleted in one or more yielding writes (the store may stop a write
     * early). A deletion dirties a few pages scattered over the database, which the commit writes
     * to the WAL; 100 keep a write's time and WAL write to a few milliseconds, so a delivery
     * queued behind one barely waits (measured: docs/benchmarks.md).
     */
    static final int DELETE_BATCH = 100;

    /**
     * After each write the expiry waits this many times as long as the write took (its queueing
     * included), up to {@link #LONGEST_PAUSE}: so it takes at most about a quarter of the writer's
     * time. The writer's own WAL checkpoints, which deliveries wait for, come as often as the
     * expiry fills 16 MiB of WAL. At half of the writer's time (a pause as long as the write)
     * delivery p99 during an expiry was 29 ms (500,000 accounts, 4,000 IDLE, 1,000,000 messages),
     * at a quarter 19.5 ms, the expiry then deleting 2,000 instead of 4,600 messages a second
     * (docs/benchmarks.md, "The writer's checkpoint and the expiry's pace").
     */
    static final int PAUSE_FACTOR = 3;

    /** The longest pause after one write (a write that waited long for the writer would otherwise stall the expiry). */
    static final Duration LONGEST_PAUSE = Duration.ofMillis(200);

    /** Inactive accounts read per page. */
    static final int ACCOUNT_PAGE = 200;

    private final Config config;
    private final MailStore store;
    private final Clock clock;
    private final LongConsumer accountDeleted;

    public Expiry(Config config, MailStore store, Clock clock) {
        this(config, store, clock, id -> { });
    }

    /** @param accountDeleted told each deleted account's id, after its deletion (SEC-9: end its sessions) */
    public Expiry(Config config, MailStore store, Clock clock, LongConsumer accountDeleted) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.accountDeleted = accountDeleted;
    }

    public ExpiryReport run(boolean dryRun) {
        return run(dryRun, ExpiryStop.never());
    }

    /** A run that ends with {@link ExpiryInterrupted} before its next store call once {@code stop} is requested. */
    public ExpiryReport run(boolean dryRun, ExpiryStop stop) {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant oldCutoff = now.minus(Duration.ofDays(config.deleteMailsAfter()));
        Instant largeCutoff = now.minus(Duration.ofDays(config.deleteLargeAfter()));

        Tally old = new Tally();
        MessageRef after = null;
        List<MessageRef> page;
        do {
            checkNotStopped(stop);
            page = store.messagesReceivedBefore(oldCutoff, after, PAGE);
            old.add(page);
            if (!dryRun) {
                delete(page, stop);
            }
            after = page.isEmpty() ? after : page.getLast();
        } while (page.size() == PAGE);

        // A message matching both rules counts once, under the first; in a dry run it is still there.
        Tally large = new Tally();
        after = null;
        do {
            checkNotStopped(stop);
            page = store.seenMessagesLargerThan(LARGE_MESSAGE_BYTES, largeCutoff, after, PAGE);
            List<MessageRef> onlyLarge = page.stream().filter(m -> !m.internalDate().isBefore(oldCutoff)).toList();
            large.add(onlyLarge);
            if (!dryRun) {
                delete(onlyLarge, stop);
            }
            after = page.isEmpty() ? after : page.getLast();
        } while (page.size() == PAGE);

        // Before the accounts: tokens of an inactive account count here, not silently with it.
        int expiredTokens = dryRun
                ? store.expiredMetadataValues(PushNotifier.DEVICE_TOKEN_ENTRY, now)
                : deleteExpiredTokens(now, stop);

        int inactive = 0;
        long afterId = 0;
        List<Account> accounts;
        do {
            checkNotStopped(stop);
            accounts = store.accountsLastLoginBefore(today.minusDays(config.deleteInactiveUsersAfter()), afterId,
                    ACCOUNT_PAGE);
            for (Account a : accounts) {
                if (!dryRun) {
                    deleteAccount(a.id(), stop);
                }
                inactive++;
                afterId = a.id();
            }
        } while (accounts.size() == ACCOUNT_PAGE);

        return new ExpiryReport(dryRun, old.count, large.count, old.bytes + large.bytes, inactive, expiredTokens);
    }

    /** Expired device tokens in batches, each one write followed by the same pause as a write of messages. */
    private int deleteExpiredTokens(Instant now, ExpiryStop stop) {
        int deleted = 0;
        int batch;
        do {
            checkNotStopped(stop);
            long started = System.nanoTime();
            batch = store.deleteExpiredMetadataValues(PushNotifier.DEVICE_TOKEN_ENTRY, now, DELETE_BATCH);
            deleted += batch;
            pauseAfter(started, stop);
        } while (batch == DELETE_BATCH);
        return deleted;
    }

    /** The account's mail in batches first, so the last write (the account row and what cascades) is small. */
    private void deleteAccount(long accountId, ExpiryStop stop) {
        MessageRef after = null;
        List<MessageRef> batch;
        while (!(batch = store.messagesOldestFirst(accountId, after, DELETE_BATCH)).isEmpty()) {
            deleteBatch(batch, stop);
            after = batch.getLast();
            checkNotStopped(stop);
        }
        checkNotStopped(stop);
        store.deleteAccount(accountId);
        accountDeleted.accept(accountId);
    }

    private void delete(List<MessageRef> messages, ExpiryStop stop) {
        for (int i = 0; i < messages.size(); i += DELETE_BATCH) {
            deleteBatch(messages.subList(i, Math.min(messages.size(), i + DELETE_BATCH)), stop);
        }
    }

    /**
     * As many yielding writes as the store needs for the batch, each followed by a pause
     * ({@link #pauseAfterWrite}); a stop or an interrupt ends the run before the next write.
     */
    private void deleteBatch(List<MessageRef> batch, ExpiryStop stop) {
        int done = 0;
        while (done < batch.size()) {
            checkNotStopped(stop);
            long started = System.nanoTime();
            done += store.deleteYielding(batch.subList(done, batch.size()));
            pauseAfter(started, stop);
        }
    }

    /** The pause after a write that took {@code tookNanos}, its wait for the writer included. */
    static Duration pauseAfterWrite(long tookNanos) {
        return Duration.ofNanos(Math.min(Math.multiplyExact(Math.max(0, tookNanos), PAUSE_FACTOR), LONGEST_PAUSE.toNanos()));
    }

    private static void pauseAfter(long started, ExpiryStop stop) {
        try {
            if (stop.pauseUnlessStopped(pauseAfterWrite(System.nanoTime() - started))) {
                throw new ExpiryInterrupted();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExpiryInterrupted();
        }
    }

    private static void checkNotStopped(ExpiryStop stop) {
        if (stop.requested()) {
            throw new ExpiryInterrupted();
        }
    }

    /** The run was stopped or interrupted between two store calls; what was deleted stays deleted. */
    static final class ExpiryInterrupted extends RuntimeException {
        ExpiryInterrupted() {
            super("expiry interrupted", null, false, false);
        }
    }

    private static final class Tally {
        int count;
        long bytes;

        void add(List<MessageRef> messages) {
            count += messages.size();
            for (MessageRef m : messages) {
                bytes += m.size();
            }
        }
    }
}
