package chatmail.testing;

import chatmail.metrics.ConnectionRefusal;
import chatmail.metrics.ConnectionService;
import chatmail.metrics.Metrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

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

    /** {@code chatmail_connections{service}}: the connections the limits layer counts now. */
    public static double connections(TestRelay relay, ConnectionService service) {
        Labels labels = Labels.of("service", service.label(), "scope", "node");
        for (MetricSnapshot snapshot : relay.relay().metrics().registry().scrape()) {
            if (snapshot.getMetadata().getName().equals("chatmail_connections")) {
                for (GaugeSnapshot.GaugeDataPointSnapshot p : ((GaugeSnapshot) snapshot).getDataPoints()) {
                    if (p.getLabels().equals(labels)) {
                        return p.getValue();
                    }
                }
            }
        }
        throw new AssertionError("no chatmail_connections" + labels);
    }

    /**
     * Waits until the service's open-connection gauge shows {@code n}: the relay admits a
     * connection after accepting it, and there is no event to wait on but the count.
     */
    public static void awaitConnections(TestRelay relay, ConnectionService service, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        double now;
        while ((now = connections(relay, service)) != n) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(service.label() + " connections stayed at " + now + ", not " + n);
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }
}
