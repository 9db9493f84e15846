package chatmail.delivery.outbound;

import chatmail.store.MessageBody;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage of the outbound queue (DLV-3). Every method that changes the queue returns
 * only after the change is on stable storage, so an acknowledged {@link #add} survives a crash.
 *
 * <p>Entries are claimed before an attempt: a claimed entry is not due for anyone else until its
 * claim runs out, and recording the attempt's outcome ({@link #retryAt}, {@link #remove}) ends
 * the claim. The node that accepted a message claims its entries in the same write
 * ({@link #add} with a claim, or for a submission the mail store's one commit, see
 * {@code chatmail.store.QueuedCopy#claimedUntil}), so it tries them first, at once; with several nodes on one
 * database (a later backend, claiming with {@code FOR UPDATE SKIP LOCKED}) the others take
 * over only what a node leaves unfinished.
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
     * @param claimedUntil when not null, the new entries are claimed by the caller until then
     * @return the new entries, in the order of {@code recipients}
     */
    List<QueuedRecipient> add(String sender, List<String> recipients, byte[] message, Instant now, Instant claimedUntil);

    /**
     * Claims up to {@code limit} entries due at {@code now} and not claimed, earliest first,
     * until {@code claimedUntil}.
     */
    List<QueuedRecipient> claimDue(Instant now, Instant claimedUntil, int limit);

    /** Entries due at {@code now}, claimed or not, earliest first, at most {@code limit}; claims nothing. */
    List<QueuedRecipient> due(Instant now, int limit);

    /** When the earliest entry is due and not claimed (or its claim runs out); empty when the queue is empty. */
    Optional<Instant> nextDue();

    /**
     * The queued message, to be streamed (SEC-1): a backend that keeps it in a file hands out the
     * file, not its bytes; the attempt may open it more than once (one host after another). With
     * whether it still needs its DKIM signature.
     */
    QueuedContent queuedContent(long messageId);

    /** The queued message's bytes as stored (unsigned when {@link QueuedContent#signAtSend()}). */
    default MessageBody messageBody(long messageId) {
        return queuedContent(messageId).body();
    }

    /** The queued message's bytes, whole: for tests and small messages. */
    default byte[] message(long messageId) {
        try {
            return messageBody(messageId).readAllBytes();
        } catch (java.io.IOException e) {
            throw new chatmail.store.StoreException("queued message " + messageId + ": " + e.getMessage(), e);
        }
    }

    /** Removes recipients (delivered, or bounced); a message with no recipient left goes too. */
    void remove(List<Long> recipientIds);

    /**
     * Keeps recipients that failed finally until their bounce is stored: each keeps its final
     * SMTP reply and is due again at {@code next}, when only the bounce is tried (not delivery);
     * ends the entries' claims.
     */
    void holdForBounce(java.util.Map<Long, String> finalReplies, Instant next);

    /** Records a failed attempt and when to try again; ends the entry's claim. */
    void retryAt(long recipientId, int attempts, Instant next, String lastError);

    /** Recipients waiting in the queue. */
    long size();

    /**
     * Recipients waiting, when the oldest of their messages was queued, and the
     * {@code maxDestinations} busiest destinations (none for 0: the metrics' cheap look).
     */
    QueueSummary summary(int maxDestinations);

    /** Whether other nodes share this queue, so that its size and summary are the cluster's. */
    default boolean shared() {
        return false;
    }

    @Override
    void close();
}
