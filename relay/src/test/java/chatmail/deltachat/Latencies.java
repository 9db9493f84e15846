package chatmail.deltachat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Send → IncomingMsg times, reported as percentiles (a measurement, not an assertion). */
final class Latencies {

    private final List<Long> nanos = new ArrayList<>();

    synchronized void add(long sentNanos, long receivedNanos) {
        nanos.add(receivedNanos - sentNanos);
    }

    synchronized double percentileMillis(double p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    synchronized String summary(String label) {
        return String.format("%s: send -> IncomingMsg over %d messages: p50 %.1f ms, p95 %.1f ms, max %.1f ms",
                label, nanos.size(), percentileMillis(50), percentileMillis(95), percentileMillis(100));
    }
}
