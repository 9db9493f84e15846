package chatmail.testing;

import chatmail.metrics.ConnectionRefusal;
import chatmail.metrics.ConnectionService;
import chatmail.metrics.Metrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/** Reads counts from a relay's metrics as the exporter would, for assertions. */
public final class MetricValues {
    private MetricValues() {}

    public static double counter(Metrics metrics, String name, Labels labels) {
        for (MetricSnapshot snapshot : metrics.registry().scrape()) {
            if (snapshot.getMetadata().getName().equals(name)) {
                for (CounterSnapshot.CounterDataPointSnapshot point : ((CounterSnapshot) snapshot).getDataPoints()) {
                    if (point.getLabels().equals(labels)) {
                        return point.getValue();
                    }
                }
            }
        }
        throw new AssertionError("no " + name + labels);
    }

    /** {@code chatmail_connections_refused_total{service,reason}}. */
    public static double refused(TestRelay relay, ConnectionService service, ConnectionRefusal reason) {
        return counter(relay.relay().metrics(), "chatmail_connections_refused",
                Labels.of("service", service.label(), "reason", reason.label()));
    }
}
