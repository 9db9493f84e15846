package chatmail.bench;

import java.util.Arrays;

/**
 * Latencies of one run in nanoseconds, kept exactly (a run has at most a few hundred thousand),
 * with nearest-rank percentiles. Not thread-safe: a run fills it after its clients are done.
 */
public final class LatencySamples {
    private long[] values = new long[1024];
    private int size;
    private boolean sorted = true;

    public void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
        sorted = false;
    }

    public int count() {
        return size;
    }

    /** Nearest-rank percentile ({@code p} in 0..100) in nanoseconds; NaN when empty. */
    public double percentile(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        if (!sorted) {
            Arrays.sort(values, 0, size);
            sorted = true;
        }
        int rank = (int) Math.ceil(p / 100.0 * size);
        return values[Math.clamp(rank - 1, 0, size - 1)];
    }

    public double max() {
        return percentile(100);
    }
}
