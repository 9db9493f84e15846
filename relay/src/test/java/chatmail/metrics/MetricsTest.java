package chatmail.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static double counter(Metrics metrics, String name, Labels labels) {
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

    @Test
    void everyLabelValueOfOps3IsThereFromTheStartAndCountsOnlyItsOwnEvents() {
        Metrics metrics = new Metrics();
        for (Refusal reason : Refusal.values()) {
            assertThat(counter(metrics, "chatmail_messages_refused", Labels.of("reason", reason.label()))).isZero();
        }
        metrics.messageRefused(Refusal.NOT_ENCRYPTED);
        metrics.messageRefused(Refusal.NOT_ENCRYPTED);
        metrics.messageDelivered(DeliveryPath.MXDELIV);
        metrics.login(LoginService.IMAP, false);
        metrics.accountRefused(AccountRefusal.NOCREATE);

        assertThat(counter(metrics, "chatmail_messages_refused", Labels.of("reason", "not_encrypted"))).isEqualTo(2);
        assertThat(counter(metrics, "chatmail_messages_refused", Labels.of("reason", "no_dkim"))).isZero();
        assertThat(counter(metrics, "chatmail_messages_delivered", Labels.of("path", "mxdeliv"))).isEqualTo(1);
        assertThat(counter(metrics, "chatmail_messages_delivered", Labels.of("path", "submission"))).isZero();
        assertThat(counter(metrics, "chatmail_logins", Labels.of("service", "imap", "result", "failed"))).isEqualTo(1);
        assertThat(counter(metrics, "chatmail_logins", Labels.of("service", "imap", "result", "ok"))).isZero();
        assertThat(counter(metrics, "chatmail_accounts_refused", Labels.of("reason", "nocreate"))).isEqualTo(1);
    }

    @Test
    void twoRelaysInOneJvmDoNotShareCounts() {
        Metrics first = new Metrics();
        Metrics second = new Metrics();
        first.accountCreated();
        assertThat(counter(first, "chatmail_accounts_created", Labels.EMPTY)).isEqualTo(1);
        assertThat(counter(second, "chatmail_accounts_created", Labels.EMPTY)).isZero();
    }

    /** Classic buckets only: what the text format carries, and no native buckets kept beside them. */
    @Test
    void histogramsKeepClassicBucketsOnly() {
        Metrics metrics = new Metrics();
        var histogram = metrics.histogram("test_duration_seconds", "A test histogram.", "step");
        var counter = metrics.counter("test_events", "A test counter.");
        for (double seconds : new double[] {0.0004, 0.003, 0.2, 7}) {
            histogram.labelValues("a").observe(seconds);
            counter.inc();
        }

        for (MetricSnapshot snapshot : metrics.registry().scrape()) {
            if (snapshot instanceof HistogramSnapshot h && h.getMetadata().getName().equals("test_duration_seconds")) {
                HistogramSnapshot.HistogramDataPointSnapshot point = h.getDataPoints().getFirst();
                assertThat(point.getCount()).isEqualTo(4);
                assertThat(point.hasClassicHistogramData()).isTrue();
                assertThat(point.hasNativeHistogramData()).as("no native buckets").isFalse();
            }
            if (snapshot instanceof CounterSnapshot c && c.getMetadata().getName().equals("test_events")) {
                assertThat(c.getDataPoints().getFirst().getValue()).isEqualTo(4);
            }
        }
    }
}
