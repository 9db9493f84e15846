package chatmail.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * A figure taken again only once the last one is older than its bound: scrapes in between read
 * the last one, so however often (and by however many scrapers) a node is scraped, the query
 * behind it runs at most once per bound. Concurrent scrapes share one taking.
 */
public final class BoundedAgeSnapshot<T> implements Supplier<T> {

    private final Supplier<T> take;
    private final Duration maxAge;
    private final Clock clock;
    private T last;
    private Instant takenAt;

    public BoundedAgeSnapshot(Supplier<T> take, Duration maxAge, Clock clock) {
        this.take = take;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    @Override
    public synchronized T get() {
        Instant now = clock.instant();
        // A clock set back makes the last one as old as unknown: taken again.
        if (takenAt == null || now.isBefore(takenAt) || Duration.between(takenAt, now).compareTo(maxAge) >= 0) {
            last = take.get();
            takenAt = now;
        }
        return last;
    }
}
