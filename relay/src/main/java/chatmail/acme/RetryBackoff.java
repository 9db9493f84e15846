package chatmail.acme;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a failed order is tried again (OPS-1): 1 minute after the first failure, doubling with
 * each further one up to 1 hour, and never before a {@code Retry-After} the CA sent. A public
 * CA counts failed validations (Let's Encrypt allows 5 per name and hour), so a relay whose DNS
 * or port forward is wrong must not hammer it.
 */
public record RetryBackoff(Duration first, Duration max) {

    public RetryBackoff {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("back-off from " + first + " to " + max);
        }
    }

    public static RetryBackoff standard() {
        return new RetryBackoff(Duration.ofMinutes(1), Duration.ofHours(1));
    }

    /** The pause after {@code failures} failures in a row (at least 1). */
    public Duration delay(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures: " + failures);
        }
        Duration delay = first;
        for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** The next try after the {@code failures}-th failure at {@code failedAt}. */
    public Instant nextAttempt(Instant failedAt, int failures, Optional<Instant> retryAfter) {
        Instant next = failedAt.plus(delay(failures));
        return retryAfter.filter(next::isBefore).orElse(next);
    }
}
