package chatmail.acme;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.dns.DnsResolver;
import chatmail.tls.CertificateNames;
import chatmail.tls.IssuedCertificateSource;
import chatmail.tls.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ACME relay's start does not pay for the connection to the CA: the trust store (the system's
 * CA list) is asked for only when an order talks to the CA, and a stop without any order does not
 * make it either.
 */
class AcmeWorkerStartTest {

    @TempDir
    Path dir;

    @Test
    void neitherStartNorStopWithoutAnOrderAsksForTheCaTrust() throws Exception {
        Config.Builder b = Config.builder("relay.test");
        b.dataDir = dir;
        Config config = b.build();
        assertThat(config.tlsMode()).isEqualTo(Config.TlsMode.ACME);
        Clock clock = Clock.systemUTC();
        var standIn = SelfSignedCertificate.generate(config.mailDomain(), CertificateNames.forConfig(config), clock);
        AtomicInteger asked = new AtomicInteger();
        AcmeWorker worker = new AcmeWorker(config, new FileAcmeState(dir), new IssuedCertificateSource(standIn),
                DnsResolver.fromConfig(config), () -> {
                    asked.incrementAndGet();
                    return defaultContext();
                }, clock, AcmeWorker.Settings.standard());
        assertThat(worker.status().mode()).isEqualTo(Config.TlsMode.ACME);
        worker.close();

        assertThat(asked).hasValue(0);
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
