package chatmail.push;

import chatmail.metrics.Metrics;
import chatmail.metrics.PushResult;
import chatmail.store.Account;
import chatmail.store.MailStore;
import chatmail.worker.QueueWorker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push notifications (PUSH-1). {@link #newMail} records, after a delivery's commit, one durable
 * job per device token of each recipient and wakes the worker; the worker POSTs due tokens with
 * at most {@link PushSettings#maxConcurrent()} in flight: 200 finishes the job, 410 also forgets
 * the token, anything else is retried on the {@link RetrySchedule} and dropped after the last try.
 *
 * <p>Coalescing: a token has at most one pending job. Mail arriving while it waits joins it (one
 * POST wakes the device, which then fetches everything). Mail arriving while it is being sent
 * bumps its generation, so that try leaves it due and the device is woken once more: it may have
 * fetched before the new message was there.
 *
 * <p>No polling: the worker sleeps until woken by a new job or a finished try, or until the
 * earliest future due time. Time comes from the injected {@link Clock}; {@link #runDue()} lets a
 * test that moved the clock have every due job tried at once. Tokens are secrets and never
 * logged, nor are accounts or addresses.
 */
public final class PushNotifier implements AutoCloseable {

    /** The IMAP METADATA entry (on INBOX) where Delta Chat stores its device tokens (IMAP-5). */
    public static final String DEVICE_TOKEN_ENTRY = "/private/devicetoken";

    private static final Logger log = LoggerFactory.getLogger(PushNotifier.class);

    private final PushQueueStore queue;
    private final MailStore store;
    private final NotifyClient client;
    private final Clock clock;
    private final PushSettings settings;

    private final ExecutorService sends = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("push-", 0).factory());
    private final Semaphore permits;
    private final Map<Long, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    /** Jobs whose outcome could not be stored, left alone until then, so a broken database does not turn into a stream of POSTs. */
    private final Map<Long, Instant> parked = new ConcurrentHashMap<>();
    private final ReentrantLock dispatchLock = new ReentrantLock();
    private final QueueWorker worker = new QueueWorker("push-worker");

    private final Metrics metrics;

    public PushNotifier(PushQueueStore queue, MailStore store, NotifyClient client, Clock clock, PushSettings settings) {
        this(queue, store, client, clock, settings, new Metrics());
    }

    /** @param metrics counts each try's outcome: sent, failed (tried again later) or dropped (OPS-3) */
    public PushNotifier(PushQueueStore queue, MailStore store, NotifyClient client, Clock clock, PushSettings settings,
            Metrics metrics) {
        this.metrics = metrics;
        this.queue = queue;
        this.store = store;
        this.client = client;
        this.clock = clock;
        this.settings = settings;
        this.permits = new Semaphore(settings.maxConcurrent());
    }

    /**
     * New mail was committed for these accounts: queue a notification for each of their device
     * tokens. Returns once the jobs are stored; sending happens in the background.
     */
    public void newMail(List<Account> accounts) {
        Instant now = clock.instant();
        boolean queued = false;
        for (Account account : accounts) {
            List<String> tokens = store.metadataValues(account.id(), DEVICE_TOKEN_ENTRY, now);
            if (!tokens.isEmpty()) {
                queue.add(account.id(), tokens, now);
                queued = true;
            }
        }
        if (queued) {
            wakeUp();
        }
    }

    /** Starts the worker, which first sends what a previous run left queued. */
    public void start() {
        worker.start(this::workLoop);
    }

    private void workLoop() {
        while (worker.running()) {
            try {
                Instant now = clock.instant();
                boolean more = dispatchDue(now);
                awaitWork(more ? Optional.of(now) : earliest(queue.nextDueAfter(now), parkedUntil()), Optional.empty());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("push queue failed; trying again in {}", settings.pauseAfterError(), e);
                try {
                    awaitWork(Optional.empty(), Optional.of(settings.pauseAfterError()));
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * Starts a try for every job due at {@code now} that is not in flight, waiting for a permit
     * when {@code maxConcurrent} are. Returns true when a full batch was read, so more may be due.
     */
    private boolean dispatchDue(Instant now) throws InterruptedException {
        dispatchLock.lock();
        try {
            // In-flight jobs are still due in the table; read past them.
            List<PushJob> due = queue.due(now, settings.batchSize() + settings.maxConcurrent());
            int started = 0;
            for (PushJob job : due) {
                if (inFlight.containsKey(job.id()) || isParked(job, now)) {
                    continue;
                }
                permits.acquire();
                CompletableFuture<Void> done = new CompletableFuture<>();
                inFlight.put(job.id(), done);
                try {
                    sends.execute(() -> {
                        try {
                            attempt(job);
                        } finally {
                            finished(job, done);
                        }
                    });
                } catch (RuntimeException e) { // rejected: closing
                    inFlight.remove(job.id());
                    permits.release();
                    throw e;
                }
                started++;
            }
            return started >= settings.batchSize();
        } finally {
            dispatchLock.unlock();
        }
    }

    /**
     * A try is over and its outcome stored. The job leaves the in-flight set only under the
     * dispatch lock: a pass that read the job as due before the outcome was stored must still
     * see it in flight, or it would send it again. The permit goes first, since a pass waiting
     * for one holds the lock.
     */
    private void finished(PushJob job, CompletableFuture<Void> done) {
        permits.release();
        dispatchLock.lock();
        try {
            inFlight.remove(job.id());
        } finally {
            dispatchLock.unlock();
        }
        done.complete(null);
        wakeUp();
    }

    /** One try of one job and what follows from its outcome. */
    private void attempt(PushJob job) {
        Instant started = clock.instant();
        NotifyOutcome outcome;
        try {
            outcome = client.notify(job.token());
        } catch (InterruptedException e) {
            return; // closing: the job stays as it was and is tried after the restart
        } catch (RuntimeException e) {
            outcome = new NotifyOutcome.Failed(e.getClass().getSimpleName());
        }
        try {
            switch (outcome) {
                case NotifyOutcome.Delivered d -> {
                    metrics.push(PushResult.SENT);
                    queue.finish(job);
                }
                case NotifyOutcome.TokenGone g -> {
                    metrics.push(PushResult.DROPPED);
                    store.removeMetadataValue(job.accountId(), DEVICE_TOKEN_ENTRY, job.token());
                    queue.remove(job);
                    log.info("push service reports a device token as gone; removed it");
                }
                case NotifyOutcome.Failed f -> failed(job, started, f.reason());
            }
        } catch (RuntimeException e) {
            parked.put(job.id(), clock.instant().plus(settings.pauseAfterError()));
            log.error("could not record the outcome of a push notification; leaving it for {}", settings.pauseAfterError(), e);
        }
    }

    private boolean isParked(PushJob job, Instant now) {
        Instant until = parked.get(job.id());
        if (until == null) {
            return false;
        }
        if (now.isBefore(until)) {
            return true;
        }
        parked.remove(job.id());
        return false;
    }

    private Optional<Instant> parkedUntil() {
        return parked.values().stream().min(Instant::compareTo);
    }

    private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() || a.get().isBefore(b.get()) ? a : b;
    }

    private void failed(PushJob job, Instant started, String reason) {
        int failures = job.attempts() + 1;
        Instant first = job.firstAttemptAt().orElse(started);
        Optional<Instant> next = settings.schedule().nextAttempt(first, failures);
        if (next.isEmpty()) {
            metrics.push(PushResult.DROPPED);
            queue.finish(job);
            log.warn("push notification dropped after {} failed tries (last: {})", failures, reason);
            return;
        }
        // A worker that fell behind tries at once rather than scheduling into the past.
        Instant at = next.get().isBefore(started) ? started : next.get();
        metrics.push(PushResult.FAILED);
        queue.retryAt(job, failures, first, at);
        log.info("push notification failed ({}), try {} of {} at {}", reason, failures + 1, settings.schedule().tries(), at);
    }

    /**
     * Waits until woken (a new job, a finished try), until {@code dueAt} by the clock, or for
     * {@code pause}; with neither, until woken.
     */
    private void awaitWork(Optional<Instant> dueAt, Optional<Duration> pause) throws InterruptedException {
        Optional<Duration> wait = dueAt.map(at -> Duration.between(clock.instant(), at));
        if (pause.isPresent()) {
            wait = Optional.of(wait.filter(w -> w.compareTo(pause.get()) < 0).orElse(pause.get()));
        }
        worker.sleep(wait);
    }

    /** Makes the worker look at the queue now (after the clock moved, for instance). */
    public void wakeUp() {
        worker.wakeUp();
    }

    /**
     * Tries every job due now and returns when those tries, and any already in flight, are
     * finished: afterwards each job due at the call has had its try. For tests and operators.
     */
    public void runDue() throws InterruptedException {
        Instant now = clock.instant();
        while (dispatchDue(now)) {
            // a full batch: read on
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>(inFlight.values());
        for (CompletableFuture<Void> f : pending) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("a push try failed unexpectedly", e.getCause());
            }
        }
    }

    /** Notifications waiting (due or scheduled for a retry). */
    public long queued() {
        return queue.size();
    }

    /** When the longest-waiting notification was queued; empty when none waits. */
    public Optional<Instant> oldestQueued() {
        return queue.oldest();
    }

    @Override
    public void close() {
        worker.stop();
        sends.shutdownNow();
        try {
            sends.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
