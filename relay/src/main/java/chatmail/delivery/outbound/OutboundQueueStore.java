package chatmail.delivery.outbound;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage of the outbound queue (DLV-3). Every method that changes the queue returns
 * only after the change is on stable storage, so an acknowledged {@link #add} survives a crash.
 *
 * <p>Kept apart from {@code chatmail.store.MailStore} on purpose: the queue is only used by
 * {@link OutboundDelivery}, and a backend (the embedded SQLite store today, PostgreSQL later) can
 * implement it next to its mail store on the same database.
 */
public interface OutboundQueueStore extends AutoCloseable {

    /**
     * Queues a message for its recipients, all due at {@code now}.
     *
     * @param sender the envelope sender, empty for the null sender
     * @return the message id
     */
    long add(String sender, List<String> recipients, byte[] message, Instant now);

    /** Recipients whose next attempt is due at {@code now}, earliest first, at most {@code limit}. */
    List<QueuedRecipient> due(Instant now, int limit);

    /** When the earliest waiting recipient is due; empty when the queue is empty. */
    Optional<Instant> nextDue();

    /** The queued message's bytes. */
    byte[] message(long messageId);

    /** Removes recipients (delivered, or bounced); a message with no recipient left goes too. */
    void remove(List<Long> recipientIds);

    /**
     * Keeps recipients that failed finally until their bounce is stored: each keeps its final
     * SMTP reply and is due again at {@code next}, when only the bounce is tried (not delivery).
     */
    void holdForBounce(java.util.Map<Long, String> finalReplies, Instant next);

    /** Records a failed attempt and when to try again. */
    void retryAt(long recipientId, int attempts, Instant next, String lastError);

    /** Recipients waiting in the queue. */
    long size();

    /** Recipients waiting, the oldest message's time, and the {@code maxDestinations} busiest destinations. */
    QueueSummary summary(int maxDestinations);

    @Override
    void close();
}
