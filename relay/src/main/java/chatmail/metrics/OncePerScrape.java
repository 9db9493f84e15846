package chatmail.metrics;

import java.util.function.Supplier;

/**
 * A value several gauges share, computed once per scrape rather than once per gauge: it is
 * reused for {@link #VALID_NANOS} after it was computed (one query for three storage gauges).
 */
public final class OncePerScrape<T> implements Supplier<T> {

    static final long VALID_NANOS = 1_000_000_000L;

    private record Taken<T>(T value, long at) {}

    private final Supplier<T> source;
    private volatile Taken<T> last;

    private OncePerScrape(Supplier<T> source) {
        this.source = source;
    }

    public static <T> OncePerScrape<T> of(Supplier<T> source) {
        return new OncePerScrape<>(source);
    }

    @Override
    public T get() {
        Taken<T> taken = last;
        long now = System.nanoTime();
        if (taken == null || now - taken.at() > VALID_NANOS) {
            taken = new Taken<>(source.get(), now);
            last = taken;
        }
        return taken.value();
    }
}
