package chatmail.testing;

import chatmail.metrics.Metrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/** Reads a relay's counters as a scrape would, for tests that check what was counted. */
public final class Counters {
    private Counters() {}

    /** The value of counter {@code name} (without {@code _total}) with these label pairs; 0 when it has none yet. */
    public static double value(Metrics metrics, String name, String... labelPairs) {
        Labels labels = Labels.of(labelPairs);
        for (MetricSnapshot snapshot : metrics.registry().scrape()) {
            if (snapshot.getMetadata().getName().equals(name)) {
                for (CounterSnapshot.CounterDataPointSnapshot point : ((CounterSnapshot) snapshot).getDataPoints()) {
                    if (point.getLabels().equals(labels)) {
                        return point.getValue();
                    }
                }
            }
        }
        return 0;
    }

    public static double refused(Metrics metrics, String reason) {
        return value(metrics, "chatmail_messages_refused", "reason", reason);
    }

    public static double delivered(Metrics metrics, String path) {
        return value(metrics, "chatmail_messages_delivered", "path", path);
    }
}
