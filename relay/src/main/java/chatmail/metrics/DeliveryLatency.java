package chatmail.metrics;

import io.prometheus.metrics.core.metrics.Histogram;
import java.util.Collection;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The two delivery latencies of OPS-3: from the end of a message's DATA to its commit, and on
 * to the {@code EXISTS} that tells the recipient's IDLE connection. Times are
 * {@link System#nanoTime()}, never the injectable clock: a latency is a measurement of this
 * machine, not a date.
 *
 * <p>The SMTP session binds {@link #END_OF_DATA} while it hands the message on; local delivery
 * reads it, so the checks between DATA and the commit count. Without it (a bounce, {@code
 * /mxdeliv}) the clock starts when local delivery begins.
 *
 * <p>For the second latency a delivery leaves its start per mailbox, before its commit (the
 * store announces the commit to IDLE sessions before the delivering thread hears back), until
 * an IDLE session of that mailbox reports it; only sessions that were already idling when the
 * delivery was handed to the store count, so a device catching up after a reconnect does not
 * look like a slow push.
 * At most {@link #MAX_PENDING} mailboxes wait; beyond that, deliveries are timed only to the commit.
 */
public final class DeliveryLatency {

    /** When the last byte of the message being handed on arrived ({@link System#nanoTime()}). */
    public static final ScopedValue<Long> END_OF_DATA = ScopedValue.newInstance();

    static final int MAX_PENDING = 10_000;

    private record Pending(long endOfData, long handedOver) {}

    private final Histogram toCommit;
    private final Histogram toIdle;
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();

    public DeliveryLatency(Metrics metrics) {
        toCommit = metrics.histogram("chatmail_delivery_commit_seconds",
                "Local deliveries: end of DATA to the durable commit.");
        toIdle = metrics.histogram("chatmail_delivery_idle_seconds",
                "Local deliveries: end of DATA to the EXISTS written to the recipient's first idling IMAP connection.");
    }

    /** Measures nothing anyone reads: for components built without a relay (tests). */
    public static DeliveryLatency unmeasured() {
        return new DeliveryLatency(new Metrics());
    }

    /** The start of the message being delivered on this thread: bound end of DATA, else now. */
    public static long start() {
        return END_OF_DATA.isBound() ? END_OF_DATA.get() : System.nanoTime();
    }

    /** A delivery that started at {@code start} is committed. */
    public void committed(long start) {
        toCommit.observe((System.nanoTime() - start) / 1e9);
    }

    /** A delivery that started at {@code start} goes to the store now, into these mailboxes. */
    public void delivering(long start, Collection<Long> mailboxIds) {
        long now = System.nanoTime();
        for (Long mailbox : mailboxIds) {
            if (pending.size() >= MAX_PENDING) {
                forgetOlderThan(now - 60_000_000_000L);
                if (pending.size() >= MAX_PENDING) {
                    return;
                }
            }
            // The earliest unreported message of a mailbox is what its next EXISTS answers for.
            pending.merge(mailbox, new Pending(start, now), (old, fresh) -> old.endOfData() <= fresh.endOfData() ? old : fresh);
        }
    }

    /** The delivery that started at {@code start} failed: no EXISTS will answer for it. */
    public void failed(long start, Collection<Long> mailboxIds) {
        for (Long mailbox : mailboxIds) {
            pending.computeIfPresent(mailbox, (id, p) -> p.endOfData() == start ? null : p);
        }
    }

    /**
     * An IDLE session that started idling at {@code idleSince} reported new mail of a mailbox;
     * returns the latency it recorded, if any.
     */
    public OptionalLong toldIdle(long mailboxId, long idleSince) {
        Pending p = pending.remove(mailboxId);
        if (p == null || p.handedOver() - idleSince < 0) {
            return OptionalLong.empty();
        }
        long nanos = System.nanoTime() - p.endOfData();
        toIdle.observe(nanos / 1e9);
        return OptionalLong.of(nanos);
    }

    private void forgetOlderThan(long handedOverBefore) {
        pending.values().removeIf(p -> p.handedOver() - handedOverBefore < 0);
    }
}
