package chatmail.bench;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Matches submitted messages to their arrival in the recipient's mailbox. Each recipient keeps
 * its in-flight messages in submission order; an arrival (the mailbox count growing, as an IDLE
 * session's {@code * n EXISTS} tells) completes the oldest ones. Senders prefer recipients with
 * nothing in flight, so at moderate rates every arrival maps to exactly one message.
 */
public final class DeliveryTracker {

    /** One submitted message; times from {@link System#nanoTime()}, 0 while unknown. */
    public static final class InFlight {
        final int recipient;
        /** Just before its final dot was written: the relay cannot have delivered it earlier. */
        volatile long beforeDot;
        volatile long endOfData;
        volatile long delivered;

        InFlight(int recipient) {
            this.recipient = recipient;
        }

        /** The recipient's index among the target's accounts. */
        public int recipient() {
            return recipient;
        }

        /** End of DATA to arrival, never negative (the two are taken on different threads). */
        public long deliveryNanos() {
            return Math.max(0, delivered - endOfData);
        }

        public boolean isDelivered() {
            return delivered != 0;
        }
    }

    private static final class Mailbox {
        final ArrayDeque<InFlight> pending = new ArrayDeque<>();
        long count = -1;
        boolean queuedIdle;
    }

    private final Mailbox[] mailboxes;
    private final ConcurrentLinkedQueue<Integer> idle = new ConcurrentLinkedQueue<>();
    private final Object drained = new Object();
    private int inFlight;
    private final AtomicLong unexpected = new AtomicLong();

    public DeliveryTracker(int recipients) {
        mailboxes = new Mailbox[recipients];
        for (int i = 0; i < recipients; i++) {
            mailboxes[i] = new Mailbox();
        }
    }

    public int recipients() {
        return mailboxes.length;
    }

    /** The recipient's watcher is ready and its mailbox holds {@code count} messages. */
    public void watching(int recipient, long count) {
        Mailbox m = mailboxes[recipient];
        synchronized (m) {
            m.count = count;
            markIdleIfEmpty(recipient, m);
        }
    }

    /** The recipient's mailbox now holds {@code count} messages (an EXISTS response). */
    public void mailboxCount(int recipient, long count, long nanoTime) {
        Mailbox m = mailboxes[recipient];
        long grown;
        synchronized (m) {
            grown = m.count < 0 ? 0 : count - m.count;
            m.count = Math.max(m.count, count);
        }
        if (grown > 0) {
            arrived(recipient, grown, nanoTime);
        }
    }

    /** {@code count} new messages arrived in the recipient's mailbox. */
    public void arrived(int recipient, long count, long nanoTime) {
        Mailbox m = mailboxes[recipient];
        int completed = 0;
        synchronized (m) {
            for (long i = 0; i < count; i++) {
                InFlight f = m.pending.pollFirst();
                if (f == null) {
                    unexpected.addAndGet(count - i);
                    break;
                }
                f.delivered = nanoTime;
                completed++;
            }
            markIdleIfEmpty(recipient, m);
        }
        if (completed > 0) {
            finished(completed);
        }
    }

    /** A recipient to send to: one with nothing in flight when there is one, else any. */
    public int pickRecipient() {
        while (true) {
            Integer r = idle.poll();
            if (r == null) {
                return ThreadLocalRandom.current().nextInt(mailboxes.length);
            }
            Mailbox m = mailboxes[r];
            synchronized (m) {
                m.queuedIdle = false;
                if (m.pending.isEmpty()) {
                    return r;
                }
            }
        }
    }

    /** Registers a message about to be sent; call before its final dot goes out. */
    public InFlight expect(int recipient) {
        InFlight f = new InFlight(recipient);
        Mailbox m = mailboxes[recipient];
        synchronized (drained) {
            inFlight++;
        }
        synchronized (m) {
            m.pending.addLast(f);
        }
        return f;
    }

    /** The server did not accept the message: it will not arrive. */
    public void refused(InFlight f) {
        Mailbox m = mailboxes[f.recipient];
        boolean removed;
        synchronized (m) {
            removed = m.pending.remove(f);
            markIdleIfEmpty(f.recipient, m);
        }
        if (removed) {
            finished(1);
        }
    }

    /** Waits until nothing is in flight; false when {@code timeout} passed first. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (drained) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                drained.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Drops what is still in flight (counted lost by the caller) so the next run starts clean. */
    public List<InFlight> abandonPending() {
        List<InFlight> left = new ArrayList<>();
        for (int r = 0; r < mailboxes.length; r++) {
            Mailbox m = mailboxes[r];
            synchronized (m) {
                left.addAll(m.pending);
                m.pending.clear();
                markIdleIfEmpty(r, m);
            }
        }
        synchronized (drained) {
            inFlight = 0;
            drained.notifyAll();
        }
        return left;
    }

    /** Arrivals that matched no submitted message (late ones of an earlier run, or strays). */
    public long unexpected() {
        return unexpected.get();
    }

    private void markIdleIfEmpty(int recipient, Mailbox m) {
        if (m.pending.isEmpty() && !m.queuedIdle && m.count >= 0) {
            m.queuedIdle = true;
            idle.add(recipient);
        }
    }

    private void finished(int n) {
        synchronized (drained) {
            inFlight = Math.max(0, inFlight - n);
            if (inFlight == 0) {
                drained.notifyAll();
            }
        }
    }
}
