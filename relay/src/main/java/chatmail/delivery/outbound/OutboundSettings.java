package chatmail.delivery.outbound;

import java.time.Duration;
import java.util.List;

/**
 * Timeouts, retry schedule and concurrency of outbound delivery. {@link #defaults()} are for
 * production; tests shorten what they need.
 *
 * @param connectTimeout TCP connect, SMTP and HTTPS alike (DLV-2: 10 s)
 * @param smtpCommandTimeout waiting for one SMTP reply
 * @param smtpDataTimeout waiting for the reply after the message was sent
 * @param httpsRequestTimeout one whole /mxdeliv request
 * @param noMxDelivMemory how long a host without /mxdeliv is reached over SMTP only (DLV-2: 30 min)
 * @param maxAge how long a message may wait in the queue before it bounces (DLV-3: 2 days)
 * @param backoff waits after the 1st, 2nd, … failed attempt; the last repeats
 * @param maxConcurrent deliveries in flight at once, overall
 * @param maxPerDomain deliveries in flight at once to one recipient domain
 * @param pollInterval how often the worker looks at the queue when nothing wakes it
 * @param batchSize how many due recipients one round takes from the queue
 */
public record OutboundSettings(
        Duration connectTimeout,
        Duration smtpCommandTimeout,
        Duration smtpDataTimeout,
        Duration httpsRequestTimeout,
        Duration noMxDelivMemory,
        Duration maxAge,
        List<Duration> backoff,
        int maxConcurrent,
        int maxPerDomain,
        Duration pollInterval,
        int batchSize) {

    public OutboundSettings {
        backoff = List.copyOf(backoff);
        if (backoff.isEmpty()) {
            throw new IllegalArgumentException("backoff needs at least one interval");
        }
    }

    public static OutboundSettings defaults() {
        return new OutboundSettings(
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                Duration.ofMinutes(10),
                Duration.ofMinutes(10),
                Duration.ofMinutes(30),
                Duration.ofDays(2),
                List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
                        Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4)),
                64,
                8,
                Duration.ofSeconds(30),
                500);
    }

    /** The wait after {@code failedAttempts} failures (1 = after the first). */
    public Duration backoffAfter(int failedAttempts) {
        return backoff.get(Math.min(Math.max(failedAttempts, 1), backoff.size()) - 1);
    }

    public OutboundSettings withConnectTimeout(Duration d) {
        return new OutboundSettings(d, smtpCommandTimeout, smtpDataTimeout, httpsRequestTimeout, noMxDelivMemory,
                maxAge, backoff, maxConcurrent, maxPerDomain, pollInterval, batchSize);
    }
}
