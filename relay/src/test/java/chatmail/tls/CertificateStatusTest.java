package chatmail.tls;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.metrics.Metrics;
import chatmail.testing.TestRelay;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OPS-1, OPS-3: what status and metrics read about the served certificate, in a mode without ACME. */
public class CertificateStatusTest {

    /** The certificate expiry gauge as a scrape sees it. */
    public static double expiryGauge(Metrics metrics) {
        for (MetricSnapshot snapshot : metrics.registry().scrape()) {
            if (snapshot.getMetadata().getName().equals("chatmail_certificate_expiry_timestamp_seconds")) {
                return ((GaugeSnapshot) snapshot).getDataPoints().getFirst().getValue();
            }
        }
        throw new AssertionError("no certificate expiry gauge");
    }

    @Test
    void aSelfSignedRelayReportsItsCertificateAndNoRenewal(@TempDir Path dir) throws Exception {
        try (TestRelay relay = TestRelay.start(dir)) {
            X509Certificate served = relay.relay().tls().currentCertificate();
            CertificateStatus status = relay.relay().certificateStatus();

            assertThat(status.mode()).isEqualTo(Config.TlsMode.SELF_SIGNED);
            assertThat(status.standIn()).isFalse();
            assertThat(status.names()).startsWith("localhost", "chatmail.localhost")
                    .contains("www.chatmail.localhost", "mta-sts.chatmail.localhost", "autoconfig.chatmail.localhost");
            assertThat(status.notAfter()).isEqualTo(served.getNotAfter().toInstant());
            assertThat(status.renewalDue()).isEmpty();
            assertThat(status.nextAttempt()).isEmpty();
            assertThat(relay.relay().acme()).isEmpty();
            assertThat(expiryGauge(relay.relay().metrics())).isEqualTo(served.getNotAfter().getTime() / 1000.0);
        }
    }
}
