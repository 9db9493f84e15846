package chatmail.delivery.outbound;

import chatmail.config.Config;
import chatmail.net.StopGrace;
import java.time.Duration;
import java.util.List;

/**
 * Timeouts, retry schedule and concurrency of outbound delivery. {@link #defaults()} are for
 * production, {@link #of(Config)} takes the operator's timeouts; tests shorten what they need.
 *
 * @param connectTimeout TCP connect, SMTP and HTTPS alike (DLV-2: 10 s)
 * @param smtpCommandTimeout waiting for the greeting and each SMTP reply before the message (RFC 5321: 5 min)
 * @param smtpDataTimeout waiting for the reply after the message was sent (RFC 5321: 10 min)
 * @param httpsRequestTimeout one whole /mxdeliv request
 * @param attemptTimeout one whole attempt to one destination, all its hosts and both paths (SEC-5)
 * @param noMxDelivMemory how long a host without /mxdeliv is reached over SMTP only (DLV-2: 30 min)
 * @param maxAge how long a message may wait in the queue before it bounces (DLV-3: 2 days)
 * @param backoff waits after the 1st, 2nd, … failed attempt; the last repeats
 * @param maxConcurrent attempts in flight at once, over all destinations
 * @param maxPerDestination attempts in flight at once to one destination (recipient domain)
 * @param pollInterval how often the worker looks at the queue when nothing wakes it
 * @param batchSize how many due recipients one look at the queue takes, and (twice that) how many
 *     may be in flight or waiting for their destination at once
 * @param shutdownGrace how long a stopping relay waits for running attempts before interrupting
 *     them (an interrupted attempt is repeated after the next start, maybe as a duplicate)
 */
public record OutboundSettings(
        Duration connectTimeout,
        Duration smtpCommandTimeout,
        Duration smtpDataTimeout,
        Duration httpsRequestTimeout,
        Duration attemptTimeout,
        Duration noMxDelivMemory,
        Duration maxAge,
        List<Duration> backoff,
        int maxConcurrent,
        int maxPerDestination,
        Duration pollInterval,
        int batchSize,
        Duration shutdownGrace) {

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
                Duration.ofMinutes(30),
                Duration.ofDays(2),
                List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
                        Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4)),
                64,
                8,
                Duration.ofSeconds(30),
                500,
                StopGrace.DURATION);
    }

    /** The defaults with the timeouts of the relay's configuration. */
    public static OutboundSettings of(Config config) {
        OutboundSettings d = defaults();
        return new OutboundSettings(config.outboundConnectTimeout(), config.outboundCommandTimeout(),
                config.outboundDataTimeout(), config.outboundDataTimeout(), config.outboundAttemptTimeout(),
                d.noMxDelivMemory, d.maxAge, d.backoff, d.maxConcurrent, d.maxPerDestination, d.pollInterval,
                d.batchSize, d.shutdownGrace);
    }

    /** The wait after {@code failedAttempts} failures (1 = after the first). */
    public Duration backoffAfter(int failedAttempts) {
        return backoff.get(Math.min(Math.max(failedAttempts, 1), backoff.size()) - 1);
    }

    /**
     * How long entries taken from the queue for an attempt stay claimed (by this node): the
     * attempt's deadline and a minute to record its outcome. Longer than any attempt, so no
     * other claim of the same entry can overlap one that still runs.
     */
    public Duration claimLease() {
        return attemptTimeout.plus(Duration.ofMinutes(1));
    }

    public OutboundSettings withConnectTimeout(Duration d) {
        return new OutboundSettings(d, smtpCommandTimeout, smtpDataTimeout, httpsRequestTimeout, attemptTimeout,
                noMxDelivMemory, maxAge, backoff, maxConcurrent, maxPerDestination, pollInterval, batchSize,
                shutdownGrace);
    }
}
