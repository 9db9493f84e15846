package chatmail.delivery.outbound;

import chatmail.delivery.BounceBuilder;
import chatmail.delivery.FailedRecipient;
import chatmail.dkim.DkimSigner;
import chatmail.store.StoreException;
import chatmail.worker.QueueWorker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound queue (DLV-3): {@link #enqueue} stores a message durably and wakes the worker,
 * which delivers due recipients grouped by message and domain through {@link RemoteDelivery},
 * with bounded concurrency overall and per domain. Temporary failures are retried with backoff;
 * a final refusal, or a recipient still undelivered {@code maxAge} (2 days) after enqueueing,
 * produces one DKIM-signed RFC 3464 bounce per message and round for the (non-null) sender.
 *
 * <p>Time comes from the injected {@link Clock}; {@link #runDue()} does one round at once, so
 * tests move the clock and run a round instead of waiting.
 */
public final class OutboundDelivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboundDelivery.class);

    /** Delivers one group; {@link RemoteDelivery#deliver} in production. */
    @FunctionalInterface
    public interface Transport {
        Map<String, RecipientResult> deliver(String domain, String sender, List<String> recipients, byte[] message)
                throws InterruptedException;
    }

    private final OutboundQueueStore queue;
    private final Transport transport;
    private final BounceBuilder bounces;
    private final DkimSigner signer;
    private final BounceSink bounceSink;
    private final Clock clock;
    private final OutboundSettings settings;

    private final ExecutorService deliveries = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore overall;
    private final Map<String, Semaphore> perDomain = new ConcurrentHashMap<>();
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final ReentrantLock roundLock = new ReentrantLock();
    private final QueueWorker worker = new QueueWorker("outbound-queue");

    public OutboundDelivery(OutboundQueueStore queue, Transport transport, BounceBuilder bounces, DkimSigner signer,
            BounceSink bounceSink, Clock clock, OutboundSettings settings) {
        this.queue = queue;
        this.transport = transport;
        this.bounces = bounces;
        this.signer = signer;
        this.bounceSink = bounceSink;
        this.clock = clock;
        this.settings = settings;
        this.overall = new Semaphore(settings.maxConcurrent());
    }

    /**
     * Queues a message for remote recipients and returns once the queue entry is on stable
     * storage; delivery starts at once in the background.
     *
     * @param envelopeFrom the envelope sender, empty (or null) for the null sender
     * @param signedMessage the message as it goes out: header-cleaned and DKIM-signed
     * @throws chatmail.store.StoreException when the queue could not store it (answer 451 4.3.0)
     */
    public void enqueue(String envelopeFrom, List<String> recipients, byte[] signedMessage) {
        if (recipients.isEmpty()) {
            return;
        }
        queue.add(envelopeFrom == null ? "" : envelopeFrom, List.copyOf(recipients), signedMessage, clock.instant());
        wakeUp();
    }

    /** Starts the background worker. */
    public void start() {
        worker.start(this::workLoop);
    }

    private void workLoop() {
        while (worker.running()) {
            try {
                runDue();
                awaitWork();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("outbound queue round failed; retrying", e);
                try {
                    awaitWork();
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Waits until woken by an enqueue, the earliest due entry (by the wall clock) or the poll interval. */
    private void awaitWork() throws InterruptedException {
        Duration wait = settings.pollInterval();
        var next = queue.nextDue();
        if (next.isPresent()) {
            Duration untilDue = Duration.between(clock.instant(), next.get());
            if (untilDue.compareTo(wait) < 0) {
                wait = untilDue;
            }
        }
        worker.sleep(Optional.of(wait));
    }

    /**
     * Makes the worker look at the queue now instead of at its next poll, e.g. after the clock
     * moved (tests) or an operator knows a peer is back.
     */
    public void wake() {
        wakeUp();
    }

    private void wakeUp() {
        worker.wakeUp();
    }

    /** What one round did. */
    public record Round(int delivered, int failed, int deferred, int bounces) {
        static final Round NONE = new Round(0, 0, 0, 0);
    }

    /** Delivers everything due now and waits for it; returns what happened. */
    public Round runDue() throws InterruptedException {
        roundLock.lock();
        try {
            List<QueuedRecipient> due = queue.due(clock.instant(), settings.batchSize());
            due.removeIf(r -> inFlight.contains(r.id()));
            if (due.isEmpty()) {
                return Round.NONE;
            }
            due.forEach(r -> inFlight.add(r.id()));
            try {
                return deliverAll(due);
            } finally {
                due.forEach(r -> inFlight.remove(r.id()));
            }
        } finally {
            roundLock.unlock();
        }
    }

    private Round deliverAll(List<QueuedRecipient> due) throws InterruptedException {
        Map<Long, Map<String, List<QueuedRecipient>>> groups = new LinkedHashMap<>();
        for (QueuedRecipient r : due) {
            groups.computeIfAbsent(r.messageId(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.domain(), k -> new ArrayList<>()).add(r);
        }
        List<Future<Round>> running = new ArrayList<>();
        for (var message : groups.entrySet()) {
            running.add(deliveries.submit(() -> deliverMessage(message.getKey(), message.getValue())));
        }
        int delivered = 0;
        int failed = 0;
        int deferred = 0;
        int bounced = 0;
        for (Future<Round> f : running) {
            try {
                Round r = f.get();
                delivered += r.delivered();
                failed += r.failed();
                deferred += r.deferred();
                bounced += r.bounces();
            } catch (java.util.concurrent.ExecutionException e) {
                log.error("outbound delivery failed", e.getCause());
            }
        }
        return new Round(delivered, failed, deferred, bounced);
    }

    /** All due domains of one message, in parallel; one bounce for whatever failed finally. */
    private Round deliverMessage(long messageId, Map<String, List<QueuedRecipient>> byDomain) throws Exception {
        byte[] message = queue.message(messageId);
        List<FailedRecipient> failed = new ArrayList<>();
        List<Long> done = new ArrayList<>();
        // Recipients that failed in an earlier round but whose bounce could not be stored then:
        // only the bounce is tried again.
        Map<Long, String> finalReplies = new LinkedHashMap<>();
        List<Future<Map<QueuedRecipient, RecipientResult>>> parts = new ArrayList<>();
        for (var group : byDomain.entrySet()) {
            List<QueuedRecipient> toSend = new ArrayList<>();
            for (QueuedRecipient r : group.getValue()) {
                if (r.finalReply() != null) {
                    failed.add(new FailedRecipient(r.recipient(), r.finalReply()));
                    finalReplies.put(r.id(), r.finalReply());
                    done.add(r.id());
                } else {
                    toSend.add(r);
                }
            }
            if (!toSend.isEmpty()) {
                parts.add(deliveries.submit(() -> deliverGroup(group.getKey(), toSend, message)));
            }
        }
        Map<String, Deferral> deferrals = new LinkedHashMap<>();
        int delivered = 0;
        int deferred = 0;
        String sender = byDomain.values().iterator().next().getFirst().sender();
        Instant now = clock.instant();
        for (var part : parts) {
            for (var entry : part.get().entrySet()) {
                QueuedRecipient r = entry.getKey();
                switch (entry.getValue()) {
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
                            int attempts = r.attempts() + 1;
                            Instant next = now.plus(settings.backoffAfter(attempts));
                            Instant retry = next.isAfter(expires) ? expires : next;
                            queue.retryAt(r.id(), attempts, retry, d.reason());
                            deferrals.merge(r.domain(), new Deferral(1, attempts, retry, d.reason()), Deferral::plus);
                            deferred++;
                        }
                    }
                }
            }
        }
        // The operator sees why mail waits; domains and reasons only, never addresses.
        deferrals.forEach((domain, d) -> log.info("outbound message for {} recipient(s) at {} deferred after attempt {},"
                + " next attempt {}: {}", d.recipients(), domain, d.attempts(), d.retry(), d.reason()));
        int bounced = 0;
        if (!failed.isEmpty() && !sender.isEmpty()) {
            // Bounce before forgetting the recipients: a crash in between repeats the attempt, never loses the bounce.
            try {
                bounceSink.deliver(sender, signer.sign(bounces.build(message, sender, failed)));
                bounced = 1;
            } catch (StoreException e) {
                // The store cannot take it now: the failed recipients stay queued with their final
                // replies and the next round tries the bounce again, so it is never lost.
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
            log.info("outbound message failed for {} recipient(s){}", failed.size(), sender.isEmpty() ? " (null sender, no bounce)" : "");
        }
        return new Round(delivered, failed.size(), deferred, bounced);
    }

    private record Deferral(int recipients, int attempts, Instant retry, String reason) {
        Deferral plus(Deferral other) {
            return new Deferral(recipients + other.recipients, Math.max(attempts, other.attempts), retry, reason);
        }
    }

    private Map<QueuedRecipient, RecipientResult> deliverGroup(String domain, List<QueuedRecipient> group, byte[] message)
            throws InterruptedException {
        Semaphore domainLimit = perDomain.computeIfAbsent(domain.toLowerCase(Locale.ROOT),
                d -> new Semaphore(settings.maxPerDomain()));
        Map<QueuedRecipient, RecipientResult> results = new LinkedHashMap<>();
        overall.acquire();
        try {
            domainLimit.acquire();
            try {
                List<String> recipients = group.stream().map(QueuedRecipient::recipient).toList();
                Map<String, RecipientResult> byAddress;
                try {
                    byAddress = transport.deliver(domain, group.getFirst().sender(), recipients, message);
                } catch (RuntimeException e) {
                    log.error("delivery to {} failed unexpectedly", domain, e);
                    byAddress = Map.of();
                }
                for (QueuedRecipient r : group) {
                    results.put(r, byAddress.getOrDefault(r.recipient(), new RecipientResult.Deferred("local error")));
                }
            } finally {
                domainLimit.release();
            }
        } finally {
            overall.release();
        }
        return results;
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

    @Override
    public void close() {
        worker.stop();
        deliveries.shutdownNow();
        try {
            deliveries.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
