package chatmail.push;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage of pending push notifications (PUSH-1), one per account and device token.
 *
 * <p>Kept apart from {@code chatmail.store.MailStore}, as the outbound queue is: only
 * {@link PushNotifier} uses it, and a backend implements it next to its mail store on the same
 * database. The state changes after a try ({@link #finish}, {@link #retryAt}) apply only when
 * the job's generation is unchanged, so a delivery that joined a job while it was being sent
 * leaves the job due instead of being lost.
 */
public interface PushQueueStore extends AutoCloseable {

    /**
     * Records that these tokens of an account need a notification, due at {@code now}. A token
     * with a notification already pending keeps that one job (coalescing): it becomes due at
     * {@code now} with a fresh retry schedule and a new generation.
     */
    void add(long accountId, Collection<String> tokens, Instant now);

    /** Jobs due at {@code now}, earliest first, at most {@code limit}. */
    List<PushJob> due(Instant now, int limit);

    /** The earliest due time strictly after {@code after}; empty when no job waits that long. */
    Optional<Instant> nextDueAfter(Instant after);

    /** The notification was delivered or finally dropped: removes the job unless it has a newer generation. */
    void finish(PushJob job);

    /** The token is gone for good: removes the job whatever its generation. */
    void remove(PushJob job);

    /**
     * A try failed: records it and when to try again, unless the job has a newer generation
     * (which already made it due again with a fresh schedule).
     */
    void retryAt(PushJob job, int attempts, Instant firstAttemptAt, Instant next);

    /** Jobs waiting. */
    long size();

    /** When the longest-waiting job was first queued; empty when none waits. */
    Optional<Instant> oldest();

    @Override
    void close();
}
