package chatmail.delivery.outbound;

import java.time.Duration;

/**
 * The end of one delivery attempt (SEC-5): per-read timeouts alone let a server that sends a
 * byte a minute, or never reads what it is sent, hold an attempt forever. Measured on the
 * monotonic clock, since it bounds real waiting (the injected {@link java.time.Clock} schedules
 * retries and may stand still in tests).
 */
final class AttemptDeadline {

    private final Duration length;
    private final long endNanos;

    private AttemptDeadline(Duration length) {
        this.length = length;
        this.endNanos = System.nanoTime() + length.toNanos();
    }

    static AttemptDeadline in(Duration length) {
        return new AttemptDeadline(length);
    }

    boolean passed() {
        return System.nanoTime() - endNanos >= 0;
    }

    /** What is left, never negative. */
    Duration remaining() {
        long left = endNanos - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** The smaller of {@code step} and what is left, at least 1 ms (0 means "no timeout" to sockets). */
    Duration cap(Duration step) {
        Duration left = remaining();
        Duration d = step.compareTo(left) < 0 ? step : left;
        return d.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : d;
    }

    /** The reason a deferred recipient records when the deadline ended the attempt. */
    String reason() {
        return "attempt ended after its deadline of " + describe(length);
    }

    private static String describe(Duration d) {
        if (d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + " min";
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + " s";
        }
        return d.toMillis() + " ms";
    }
}
