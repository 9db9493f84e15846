package chatmail.delivery.outbound;

import chatmail.delivery.BounceBuilder;
import chatmail.delivery.FailedRecipient;
import chatmail.dkim.DkimSigner;
import chatmail.metrics.Metrics;
import chatmail.metrics.OutboundResult;
import chatmail.mime.HeaderSection;
import chatmail.mime.ParseLimitException;
import chatmail.store.MessageBody;
import chatmail.store.QueuedCopy;
import chatmail.store.QueuedEntries;
import chatmail.store.StoreException;
import chatmail.worker.QueueWorker;
import io.prometheus.metrics.core.metrics.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound queue (DLV-3): a submission's queue entries are committed with its local copies
 * by the mail store, claimed by this node in that commit ({@link #claimUntil}) and handed
 * straight to the worker of each recipient domain ({@link #committed}); {@link #enqueue} does the
 * same through the queue alone. A background loop claims what else is due (retries, what a
 * previous run left) and hands it over the same way.
 * Attempts run per destination ({@link DestinationWorkers}, SEC-5): a slow or tarpitting
 * destination delays only its own mail, and each attempt ends at its deadline
 * ({@code outbound_attempt_timeout}). Temporary failures are retried with backoff; a final
 * refusal, or a recipient still undelivered {@code maxAge} (2 days) after enqueueing, produces
 * one DKIM-signed RFC 3464 bounce per message and destination attempt for the (non-null) sender.
 *
 * <p>Time comes from the injected {@link Clock}; {@link #runDue()} does a round at once and
 * waits for it, so tests move the clock and run a round instead of waiting.
 */
public final class OutboundDelivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboundDelivery.class);

    /** Delivers one group; {@link RemoteDelivery#deliver} in production. */
    @FunctionalInterface
    public interface Transport {
        Map<String, RecipientResult> deliver(String domain, String sender, List<String> recipients, MessageBody message)
                throws InterruptedException;
    }

    private final OutboundQueueStore queue;
    private final Transport transport;
    private final BounceBuilder bounces;
    private final DkimSigner signer;
    private final BounceSink bounceSink;
    private final Clock clock;
    private final OutboundSettings settings;

    private final DestinationWorkers workers;
    /** Entries handed to a destination and not yet settled: never handed over twice. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final ReentrantLock idleLock = new ReentrantLock();
    private final Condition idle = idleLock.newCondition();
    private final QueueWorker worker = new QueueWorker("outbound-queue");
    /** The last look at the queue found more due than it took. */
    private volatile boolean backlog;
    private volatile boolean closing;
    private final Counter attempts;

    public OutboundDelivery(OutboundQueueStore queue, Transport transport, BounceBuilder bounces, DkimSigner signer,
            BounceSink bounceSink, Clock clock, OutboundSettings settings, Metrics metrics) {
        this.queue = queue;
        this.transport = transport;
        this.bounces = bounces;
        this.signer = signer;
        this.bounceSink = bounceSink;
        this.clock = clock;
        this.settings = settings;
        this.workers = new DestinationWorkers(settings.maxConcurrent(), settings.maxPerDestination(),
                settings.shutdownGrace());
        attempts = metrics.counter("chatmail_outbound_attempts",
                "Outbound delivery attempts by result, one per recipient and attempt.", "result");
        for (OutboundResult result : OutboundResult.values()) {
            attempts.initLabelValues(result.label());
        }
        // The queue's one summary (as `chatmail status` shows it), taken once per scrape for both
        // gauges; the cluster's when the nodes share the queue.
        metrics.gauges(Metrics.Scope.ofStorage(queue.shared()), () -> queue.summary(0), List.<Metrics.GaugeOf<QueueSummary>>of(
                new Metrics.GaugeOf<>("chatmail_outbound_queue_size", "Recipients waiting in the outbound queue.",
                        QueueSummary::recipients),
                new Metrics.GaugeOf<>("chatmail_outbound_queue_oldest_age_seconds",
                        "Age of the oldest message in the outbound queue in seconds; 0 when it is empty.",
                        s -> s.oldest().map(t -> Metrics.seconds(Duration.between(t, clock.instant()))).orElse(0.0))));
    }

    /**
     * Queues a message for remote recipients and returns once the queue entry is on stable
     * storage. Once {@link #start() started}, the entries are claimed in the same write and
     * their attempts start at once, without a further look at the queue.
     *
     * @param envelopeFrom the envelope sender, empty (or null) for the null sender
     * @param signedMessage the message as it goes out: header-cleaned and DKIM-signed
     * @throws chatmail.store.StoreException when the queue could not store it (answer 451 4.3.0)
     */
    public void enqueue(String envelopeFrom, List<String> recipients, byte[] signedMessage) {
        if (recipients.isEmpty()) {
            return;
        }
        Instant claim = claimUntil();
        List<QueuedRecipient> queued = queue.add(envelopeFrom == null ? "" : envelopeFrom, List.copyOf(recipients),
                signedMessage, clock.instant(), claim);
        if (claim != null) {
            dispatch(queued, Map.of());
        }
    }

    /**
     * Until when this node claims queue entries that a commit writes now: the entries are then
     * its own to try at once ({@link #committed}), and the loop does not take them meanwhile.
     * Null before {@link #start()} (and after {@link #close()}): then they are not claimed and
     * the loop takes them when it runs.
     */
    public Instant claimUntil() {
        return worker.running() && !closing ? clock.instant().plus(settings.claimLease()) : null;
    }

    /**
     * Hands the entries a mail store commit just queued to their destinations, without a look
     * at the queue (SEC-5: the accepting node tries its mail first, at once). The copy's
     * {@link QueuedCopy#claimedUntil()} came from {@link #claimUntil}; an unclaimed copy is left
     * to the loop, which is woken.
     */
    public void committed(QueuedCopy copy, QueuedEntries entries) {
        committed(copy, entries, null);
    }

    /**
     * As {@link #committed(QueuedCopy, QueuedEntries)}, for a copy queued unsigned
     * ({@link QueuedCopy#signAtSend()}) whose DKIM signature is being made beside the commit: its
     * attempts wait for that signature instead of making another. Only this node's attempts right
     * after the commit have it; any later attempt (a retry, the next start) signs again.
     *
     * @param signature the DKIM-Signature field for the copy, or null
     */
    public void committed(QueuedCopy copy, QueuedEntries entries, CompletableFuture<byte[]> signature) {
        if (copy.claimedUntil() == null) {
            wake();
            return;
        }
        List<QueuedRecipient> claimed = new ArrayList<>(entries.recipientIds().size());
        for (int i = 0; i < entries.recipientIds().size(); i++) {
            String recipient = copy.recipients().get(i);
            claimed.add(new QueuedRecipient(entries.recipientIds().get(i), entries.messageId(), copy.sender(), recipient,
                    QueuedEntries.domainOf(recipient), 0, copy.createdAt(), copy.createdAt(), null, null));
        }
        dispatch(claimed, Map.of(entries.messageId(), new JustCommitted(inHand(copy), signature)));
    }

    /**
     * What a commit just queued, for its first attempts on this node: the message when the
     * committing thread holds it in memory (a small one), so the attempt does not read back from
     * the queue's connection what it was just handed (a round trip through that connection's
     * thread, and a wait behind whatever the queue does meanwhile), and the signature being made
     * beside the commit.
     *
     * @param content the copy as the queue row holds it, or null to read it from the queue
     * @param signature the DKIM-Signature field for a copy queued unsigned, or null
     */
    private record JustCommitted(QueuedContent content, CompletableFuture<byte[]> signature) {}

    /** The copy as its queue row holds it (header, then body), when that is in memory already. */
    private static QueuedContent inHand(QueuedCopy copy) {
        Optional<byte[]> body = copy.body().inMemory();
        if (body.isEmpty()) {
            return null;
        }
        byte[] header = copy.header();
        byte[] content = body.get();
        if (header.length > 0) {
            content = new byte[header.length + body.get().length];
            System.arraycopy(header, 0, content, 0, header.length);
            System.arraycopy(body.get(), 0, content, header.length, body.get().length);
        }
        return new QueuedContent(MessageBody.of(content), copy.signAtSend());
    }

    /** Starts the background loop, which first takes what a previous run left queued. */
    public void start() {
        worker.start(this::workLoop);
    }

    private void workLoop() {
        while (worker.running()) {
            try {
                dispatchDue();
                awaitWork();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closing) {
                    return; // the stop interrupted a queue call
                }
                log.error("outbound queue round failed; retrying", e);
                try {
                    worker.sleep(Optional.of(settings.pollInterval()));
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Most entries in flight (running or waiting for their destination) at once. */
    private int maxInFlight() {
        return settings.batchSize() * 2;
    }

    /** Claims what is due, as far as there is room, and hands it to the destinations; does not wait. */
    private void dispatchDue() {
        int room = maxInFlight() - inFlight.size();
        if (room <= 0) {
            backlog = true;
            return;
        }
        int limit = Math.min(room, settings.batchSize());
        Instant now = clock.instant();
        List<QueuedRecipient> claimed = queue.claimDue(now, now.plus(settings.claimLease()), limit);
        backlog = claimed.size() == limit;
        dispatch(claimed, Map.of());
    }

    /**
     * Waits until woken by {@link #wake()}, the earliest unclaimed entry comes due (by the
     * injected clock), the poll interval passed, or (with a backlog) an attempt ended.
     */
    private void awaitWork() throws InterruptedException {
        if (backlog && inFlight.size() < maxInFlight()) {
            return;
        }
        Duration wait = settings.pollInterval();
        if (!backlog) {
            var next = queue.nextDue();
            if (next.isPresent()) {
                Duration untilDue = Duration.between(clock.instant(), next.get());
                if (untilDue.compareTo(wait) < 0) {
                    wait = untilDue;
                }
            }
        }
        worker.sleep(Optional.of(wait));
    }

    /**
     * Makes the loop look at the queue now instead of at its next poll, e.g. after the clock
     * moved (tests) or an operator knows a peer is back.
     */
    public void wake() {
        worker.wakeUp();
    }

    /** What one round did. */
    public record Round(int delivered, int failed, int deferred, int bounces) {
        static final Round NONE = new Round(0, 0, 0, 0);

        Round plus(Round other) {
            return new Round(delivered + other.delivered, failed + other.failed, deferred + other.deferred,
                    bounces + other.bounces);
        }
    }

    /**
     * Claims everything due now, delivers it and waits until it and every other attempt in flight
     * has ended; returns what this round's own attempts did.
     */
    public Round runDue() throws InterruptedException {
        Instant now = clock.instant();
        List<CompletableFuture<Round>> running = dispatch(
                queue.claimDue(now, now.plus(settings.claimLease()), settings.batchSize()), Map.of());
        Round total = Round.NONE;
        for (CompletableFuture<Round> attempt : running) {
            try {
                total = total.plus(attempt.get());
            } catch (ExecutionException e) {
                log.error("outbound delivery failed", e.getCause());
            }
        }
        awaitIdle();
        return total;
    }

    /** Waits until no attempt is in flight. */
    private void awaitIdle() throws InterruptedException {
        idleLock.lock();
        try {
            while (!inFlight.isEmpty()) {
                idle.await();
            }
        } finally {
            idleLock.unlock();
        }
    }

    /**
     * Hands claimed entries to their destinations, one attempt per message and domain; entries
     * already in flight are skipped.
     *
     * @param justCommitted what the committing thread still holds of messages it just queued, by message id
     */
    private List<CompletableFuture<Round>> dispatch(List<QueuedRecipient> claimed,
            Map<Long, JustCommitted> justCommitted) {
        Map<Long, Map<String, List<QueuedRecipient>>> groups = new LinkedHashMap<>();
        for (QueuedRecipient r : claimed) {
            if (inFlight.add(r.id())) {
                groups.computeIfAbsent(r.messageId(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(r.domain(), k -> new ArrayList<>()).add(r);
            }
        }
        List<CompletableFuture<Round>> running = new ArrayList<>();
        for (var message : groups.entrySet()) {
            for (var group : message.getValue().entrySet()) {
                List<QueuedRecipient> entries = group.getValue();
                CompletableFuture<Round> result = new CompletableFuture<>();
                running.add(result);
                boolean taken = workers.submit(group.getKey(), () -> {
                    try {
                        result.complete(attempt(message.getKey(), group.getKey(), entries,
                                justCommitted.get(message.getKey())));
                    } catch (InterruptedException e) {
                        // Stopping: the entries stay claimed until the next start clears the claims.
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        if (closing) {
                            log.info("outbound attempt for {} ended by the shutdown; retried after the next start",
                                    group.getKey());
                        } else {
                            log.error("outbound delivery to {} failed", group.getKey(), e);
                        }
                        result.completeExceptionally(e);
                    }
                }, () -> {
                    result.complete(Round.NONE); // unless the attempt completed it
                    settled(entries);
                });
                if (!taken) {
                    result.complete(Round.NONE);
                    settled(entries);
                }
            }
        }
        return running;
    }

    private void settled(List<QueuedRecipient> entries) {
        entries.forEach(r -> inFlight.remove(r.id()));
        idleLock.lock();
        try {
            if (inFlight.isEmpty()) {
                idle.signalAll();
            }
        } finally {
            idleLock.unlock();
        }
        if (backlog) {
            worker.wakeUp();
        }
    }

    /** The header section of a queued message, for its bounce: read from the start, the body not at all. */
    private static HeaderSection header(MessageBody message) throws IOException {
        try (InputStream in = message.openStream()) {
            return HeaderSection.read(in, null);
        } catch (ParseLimitException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /**
     * One attempt for the recipients of one message in one domain; one bounce for what failed
     * finally. Recipients that failed in an earlier attempt but whose bounce could not be stored
     * then (they carry their final reply) are not sent again: only their bounce is tried.
     */
    private Round attempt(long messageId, String domain, List<QueuedRecipient> group,
            JustCommitted justCommitted) throws InterruptedException {
        QueuedContent queued = justCommitted != null && justCommitted.content() != null
                ? justCommitted.content() : queue.queuedContent(messageId);
        MessageBody message = signedForSending(queued, justCommitted == null ? null : justCommitted.signature());
        String sender = group.getFirst().sender();
        List<FailedRecipient> failed = new ArrayList<>();
        List<Long> done = new ArrayList<>();
        Map<Long, String> finalReplies = new LinkedHashMap<>();
        List<QueuedRecipient> toSend = new ArrayList<>();
        for (QueuedRecipient r : group) {
            if (r.finalReply() != null) {
                failed.add(new FailedRecipient(r.recipient(), r.finalReply()));
                finalReplies.put(r.id(), r.finalReply());
                done.add(r.id());
            } else {
                toSend.add(r);
            }
        }
        int bouncesOnly = failed.size();
        Map<String, RecipientResult> byAddress = Map.of();
        if (!toSend.isEmpty()) {
            try {
                byAddress = transport.deliver(domain, sender, toSend.stream().map(QueuedRecipient::recipient).toList(),
                        message);
            } catch (RuntimeException e) {
                log.error("delivery to {} failed unexpectedly", domain, e);
            }
        }
        Deferral deferral = null;
        int delivered = 0;
        int deferred = 0;
        Instant now = clock.instant();
        for (QueuedRecipient r : toSend) {
            switch (byAddress.getOrDefault(r.recipient(), new RecipientResult.Deferred("local error"))) {
                case RecipientResult.Delivered d -> {
                    delivered++;
                    done.add(r.id());
                }
                case RecipientResult.Failed f -> {
                    failed.add(new FailedRecipient(r.recipient(), f.reply()));
                    finalReplies.put(r.id(), f.reply());
                    done.add(r.id());
                }
                case RecipientResult.Deferred d -> {
                    Instant expires = r.createdAt().plus(settings.maxAge());
                    if (!now.isBefore(expires)) {
                        failed.add(new FailedRecipient(r.recipient(), expiredReply(d.reason())));
                        finalReplies.put(r.id(), expiredReply(d.reason()));
                        done.add(r.id());
                    } else {
                        int attempt = r.attempts() + 1;
                        Instant next = now.plus(settings.backoffAfter(attempt));
                        Instant retry = next.isAfter(expires) ? expires : next;
                        queue.retryAt(r.id(), attempt, retry, d.reason());
                        Deferral one = new Deferral(1, attempt, retry, d.reason());
                        deferral = deferral == null ? one : deferral.plus(one);
                        deferred++;
                    }
                }
            }
        }
        attempts.labelValues(OutboundResult.DELIVERED.label()).inc(delivered);
        attempts.labelValues(OutboundResult.DEFERRED.label()).inc(deferred);
        // A bounce retried for an earlier attempt's failure is no new attempt.
        attempts.labelValues(OutboundResult.FAILED.label()).inc(failed.size() - bouncesOnly);
        // The operator sees why mail waits; domains and reasons only, never addresses.
        if (deferral != null) {
            log.info("outbound message for {} recipient(s) at {} deferred after attempt {}, next attempt {}: {}",
                    deferral.recipients(), domain, deferral.attempts(), deferral.retry(), deferral.reason());
        }
        int bounced = 0;
        if (!failed.isEmpty() && !sender.isEmpty()) {
            // Bounce before forgetting the recipients: a crash in between repeats the attempt, never loses the bounce.
            try {
                bounceSink.deliver(sender, signer.sign(bounces.build(header(message), sender, failed)));
                bounced = 1;
            } catch (StoreException e) {
                // The store cannot take it now: the failed recipients stay queued with their final
                // replies (their claim ends) and a later attempt tries the bounce again, so it is never lost.
                log.warn("could not store a bounce now, retrying later: {}", e.toString());
                queue.holdForBounce(finalReplies, now.plus(settings.backoffAfter(1)));
                done.removeAll(finalReplies.keySet());
                deferred += finalReplies.size();
            } catch (Exception e) {
                // The sender's account may be gone; keeping the entry would retry the bounce forever.
                log.warn("could not deliver a bounce: {}", e.toString());
            }
        }
        queue.remove(done);
        if (!failed.isEmpty()) {
            log.info("outbound message failed for {} recipient(s) at {}{}", failed.size(), domain,
                    sender.isEmpty() ? " (null sender, no bounce)" : "");
        }
        return new Round(delivered, failed.size(), deferred, bounced);
    }

    /**
     * The message as it leaves: a copy queued unsigned gets the signature made beside its commit
     * when this attempt has it, else one made now (after a restart, a retry, a failed early one).
     */
    private MessageBody signedForSending(QueuedContent queued, CompletableFuture<byte[]> early)
            throws InterruptedException {
        if (!queued.signAtSend()) {
            return queued.body();
        }
        byte[] field = null;
        if (early != null) {
            try {
                field = early.get();
            } catch (ExecutionException e) {
                log.warn("DKIM signature beside the commit failed, signing again: {}", e.getCause().toString());
            }
        }
        try {
            if (field == null) {
                field = signer.signatureField(header(queued.body()), queued.body());
            }
            return SignedCopy.of(field, queued.body());
        } catch (IOException e) {
            throw new StoreException("queued message unreadable: " + e.getMessage(), e);
        }
    }

    private record Deferral(int recipients, int attempts, Instant retry, String reason) {
        Deferral plus(Deferral other) {
            return new Deferral(recipients + other.recipients, Math.max(attempts, other.attempts), retry, reason);
        }
    }

    private static String expiredReply(String lastError) {
        String e = lastError == null ? "" : lastError;
        if (e.matches("^4\\d\\d [245]\\.\\d{1,3}\\.\\d{1,3}.*")) {
            return e;
        }
        return "451 4.4.7 Delivery time expired" + (e.isEmpty() ? "" : " (last problem: " + e + ")");
    }

    /** Recipients waiting in the queue. */
    public long queued() {
        return queue.size();
    }

    /**
     * Destinations with attempts running or waiting: only those are tracked, so this does not
     * grow with the number of domains ever delivered to.
     */
    public int activeDestinations() {
        return workers.destinations();
    }

    @Override
    public void close() {
        closing = true;
        worker.stop();
        workers.close();
    }
}
