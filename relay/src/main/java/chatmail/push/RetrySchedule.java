package chatmail.push;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When a push notification is tried (PUSH-1): at fixed offsets from its first try, by default
 * 0, 8, 72, 584 and 4680 seconds (gaps of 8, 64, 512 and 4096 s). After the last offset's try
 * fails the notification is dropped.
 */
public record RetrySchedule(List<Duration> offsets) {

    public RetrySchedule {
        offsets = List.copyOf(offsets);
        if (offsets.isEmpty() || !offsets.getFirst().isZero()) {
            throw new IllegalArgumentException("the first try is at offset 0");
        }
    }

    public static RetrySchedule standard() {
        return new RetrySchedule(List.of(Duration.ZERO, Duration.ofSeconds(8), Duration.ofSeconds(72),
                Duration.ofSeconds(584), Duration.ofSeconds(4680)));
    }

    /** How many tries a notification gets. */
    public int tries() {
        return offsets.size();
    }

    /**
     * When to try again after {@code failures} failed tries, the first of them at
     * {@code firstAttempt}; empty when the notification is to be dropped.
     */
    public Optional<Instant> nextAttempt(Instant firstAttempt, int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures: " + failures);
        }
        return failures >= offsets.size() ? Optional.empty() : Optional.of(firstAttempt.plus(offsets.get(failures)));
    }
}
