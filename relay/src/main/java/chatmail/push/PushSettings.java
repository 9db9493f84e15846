package chatmail.push;

import java.time.Duration;

/**
 * Tuning of the push worker.
 *
 * @param maxConcurrent notifications in flight at once
 * @param batchSize jobs read from the queue per look
 * @param connectTimeout for the connection to the notify URL
 * @param requestTimeout for one whole request, answer included
 * @param pauseAfterError how long the worker waits after its queue failed (a locked or full disk),
 *     so a broken database is not hammered
 */
public record PushSettings(int maxConcurrent, int batchSize, Duration connectTimeout, Duration requestTimeout,
        Duration pauseAfterError, RetrySchedule schedule) {

    public PushSettings {
        if (maxConcurrent < 1 || batchSize < 1) {
            throw new IllegalArgumentException("maxConcurrent and batchSize must be positive");
        }
    }

    public static PushSettings defaults() {
        return new PushSettings(32, 200, Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(10),
                RetrySchedule.standard());
    }
}
