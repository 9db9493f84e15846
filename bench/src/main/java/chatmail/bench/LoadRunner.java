package chatmail.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a {@link LoadScenario} against one target: opens the sender connections, submits on
 * virtual threads (at fixed instants for a fixed rate, back to back at saturation), lets the
 * {@link DeliveryTracker} match arrivals, waits for the stragglers and returns the counts and
 * latencies. Delivery latency is taken from the end of DATA, not from the 250, because the two
 * servers answer 250 at different points (ours after the commit, Postfix before its LMTP hop).
 */
public final class LoadRunner {
    private static final AtomicLong MESSAGE_IDS = new AtomicLong();

    private final BenchTarget target;
    /** Where the recipients are: {@code target} itself, or another relay (federation). */
    private final BenchTarget recipients;
    private final ClientTls tls;
    private final DeliveryTracker tracker;
    private final Duration drainTimeout;
    private final boolean watched;
    private final AcceptedListener acceptedListener;

    /**
     * Told of each message the server accepted, right after its 250, on the sender's thread: for
     * the push check (bench bigday) and the census of acknowledged messages after a SIGKILL
     * (bench hostile).
     */
    @FunctionalInterface
    public interface AcceptedListener {
        void accepted(DeliveryTracker.InFlight message, String sender, String messageId);
    }

    /**
     * @param watched whether a {@link DeliveryWatch} feeds {@code tracker}; without one only
     *     submission is measured and nothing counts as lost
     */
    public LoadRunner(BenchTarget target, ClientTls tls, DeliveryTracker tracker, Duration drainTimeout, boolean watched) {
        this(target, target, tls, tracker, drainTimeout, watched, (message, sender, messageId) -> { });
    }

    public LoadRunner(BenchTarget target, ClientTls tls, DeliveryTracker tracker, Duration drainTimeout, boolean watched,
                      AcceptedListener acceptedListener) {
        this(target, target, tls, tracker, drainTimeout, watched, acceptedListener);
    }

    /** Senders log in to {@code target}; messages go to the accounts of {@code recipients}. */
    public LoadRunner(BenchTarget target, BenchTarget recipients, ClientTls tls, DeliveryTracker tracker,
                      Duration drainTimeout, boolean watched) {
        this(target, recipients, tls, tracker, drainTimeout, watched, (message, sender, messageId) -> { });
    }

    private LoadRunner(BenchTarget target, BenchTarget recipients, ClientTls tls, DeliveryTracker tracker,
                       Duration drainTimeout, boolean watched, AcceptedListener acceptedListener) {
        this.acceptedListener = acceptedListener;
        this.target = target;
        this.recipients = recipients;
        this.tls = tls;
        this.tracker = tracker;
        this.drainTimeout = drainTimeout;
        this.watched = watched;
    }

    /** What one submission ended as. */
    private static final class Outcome {
        DeliveryTracker.InFlight inFlight;
        int code;
        long submitNanos;
        boolean error;
    }

    public LoadResult run(LoadScenario scenario, PgpMimeMessages.Template template) throws IOException, InterruptedException {
        List<SmtpSubmitter> senders = openSenders(scenario.senders());
        List<List<Outcome>> perSender = new ArrayList<>();
        AtomicReference<String> firstProblem = new AtomicReference<>();
        AtomicLong slot = new AtomicLong();
        long start = System.nanoTime() + 20_000_000L;
        long end = start + scenario.duration().toNanos();
        long total = scenario.saturation() ? Long.MAX_VALUE
                : Math.max(1, Math.round(scenario.offeredRate() * scenario.duration().toNanos() / 1e9));
        double interval = scenario.saturation() ? 0 : 1e9 / scenario.offeredRate();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < senders.size(); s++) {
                List<Outcome> outcomes = new ArrayList<>();
                perSender.add(outcomes);
                int index = s;
                pool.submit(() -> {
                    SmtpSubmitter sender = senders.get(index);
                    while (true) {
                        long due;
                        if (scenario.saturation()) {
                            due = start;
                            if (System.nanoTime() >= end) {
                                break;
                            }
                        } else {
                            long i = slot.getAndIncrement();
                            if (i >= total) {
                                break;
                            }
                            due = start + (long) (i * interval);
                        }
                        waitUntil(due);
                        Outcome o = new Outcome();
                        outcomes.add(o);
                        sender = submitOne(sender, index, template, o, firstProblem);
                        senders.set(index, sender);
                    }
                    return null;
                });
            }
        }
        long sendEnd = System.nanoTime();
        boolean drained = !watched || tracker.awaitDrained(drainTimeout);
        List<DeliveryTracker.InFlight> abandoned = drained ? List.of() : tracker.abandonPending();
        senders.forEach(s -> {
            if (s != null) {
                s.close();
            }
        });
        return collate(scenario, perSender, start, sendEnd, abandoned, firstProblem.get());
    }

    private SmtpSubmitter submitOne(SmtpSubmitter sender, int index, PgpMimeMessages.Template template, Outcome o,
                                    AtomicReference<String> firstProblem) {
        try {
            if (sender == null) {
                sender = openSender(index);
            }
            int recipient = tracker.pickRecipient();
            String to = recipients.address(recipient);
            String id = "bench." + ProcessHandle.current().pid() + "." + MESSAGE_IDS.incrementAndGet() + "@" + target.domain();
            byte[] head = template.head(sender.login(), to, id);
            SmtpSubmitter.Submission s = sender.submit(to, head, template.tail(), new SmtpSubmitter.ContentHooks() {
                @Override
                public void beforeContent() {
                    o.inFlight = watched ? tracker.expect(recipient) : new DeliveryTracker.InFlight(recipient);
                }

                @Override
                public void beforeDot(long nanoTime) {
                    o.inFlight.beforeDot = nanoTime;
                }

                @Override
                public void endOfData(long nanoTime) {
                    o.inFlight.endOfData = nanoTime;
                }
            });
            o.code = s.reply().code();
            o.submitNanos = s.replied() - s.endOfData();
            if (s.accepted()) {
                acceptedListener.accepted(o.inFlight, sender.login(), id);
            } else {
                if (o.inFlight != null && watched) {
                    tracker.refused(o.inFlight);
                }
                firstProblem.compareAndSet(null, "refused: " + s.reply());
            }
            return sender;
        } catch (IOException | RuntimeException e) {
            o.error = true;
            if (o.inFlight != null && watched) {
                // Its fate is unknown; an arrival is then counted as unexpected, not matched.
                tracker.refused(o.inFlight);
            }
            firstProblem.compareAndSet(null, "error: " + e);
            if (sender != null) {
                sender.close();
            }
            return null;
        }
    }

    private LoadResult collate(LoadScenario scenario, List<List<Outcome>> perSender, long start, long sendEnd,
                               List<DeliveryTracker.InFlight> abandoned, String firstProblem) {
        LatencySamples submit = new LatencySamples();
        LatencySamples delivery = new LatencySamples();
        long sent = 0, accepted = 0, refused = 0, errors = 0, delivered = 0, lost = 0;
        long firstEnd = Long.MAX_VALUE;
        LatencySamples arrivals = new LatencySamples();
        for (List<Outcome> outcomes : perSender) {
            for (Outcome o : outcomes) {
                sent++;
                if (o.error) {
                    errors++;
                } else if (o.code != 250) {
                    refused++;
                } else {
                    accepted++;
                    submit.add(o.submitNanos);
                    firstEnd = Math.min(firstEnd, o.inFlight.endOfData);
                    if (o.inFlight.isDelivered()) {
                        delivered++;
                        delivery.add(o.inFlight.deliveryNanos());
                        arrivals.add(o.inFlight.delivered);
                    } else if (watched) {
                        lost++;
                    }
                }
            }
        }
        double sendSeconds = Math.max(1e-9, (sendEnd - start) / 1e9);
        // Sustained delivery rate up to the 99th-percentile arrival: one straggler (a retried LMTP
        // hop, a late poll) must not turn a throughput figure into a measure of the slowest message.
        long counted = (long) Math.ceil(arrivals.count() * 0.99);
        double p99Arrival = arrivals.percentile(99);
        double deliverySeconds = arrivals.count() > 0 && p99Arrival > firstEnd ? (p99Arrival - firstEnd) / 1e9 : Double.NaN;
        if (lost > 0 && firstProblem == null) {
            firstProblem = lost + " accepted messages did not arrive within " + drainTimeout.toSeconds() + " s";
        }
        return new LoadResult(target.name(), scenario, sent, accepted, refused, errors, delivered, lost, submit, delivery,
                sent / sendSeconds, accepted / sendSeconds, counted / deliverySeconds, firstProblem);
    }

    private List<SmtpSubmitter> openSenders(int count) throws IOException, InterruptedException {
        List<SmtpSubmitter> senders = new ArrayList<>(java.util.Collections.nCopies(count, (SmtpSubmitter) null));
        Parallel.forEach(count, 8, i -> senders.set(i, openSender(i)));
        return java.util.Collections.synchronizedList(senders);
    }

    private SmtpSubmitter openSender(int index) throws IOException {
        int account = index % tracker.recipients();
        return SmtpSubmitter.open(tls, target.nextSource(), target.host(), target.submissionsPort(),
                target.address(account), target.password());
    }

    private static void waitUntil(long due) {
        long left;
        while ((left = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
