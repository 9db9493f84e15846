package chatmail.tls;

import chatmail.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {
    @TempDir
    Path dataDir;

    private TlsContexts create(String domain) {
        Config.Builder builder = Config.builder(domain);
        builder.dataDir = dataDir;
        return TlsContexts.create(builder.build());
    }

    @Test
    void generatedOnceIntoTheDataDirAndReusedOnTheNextStart() throws Exception {
        X509Certificate first = create("chatmail.localhost").currentCertificate();
        X509Certificate second = create("chatmail.localhost").currentCertificate();

        assertThat(second.getSerialNumber()).isEqualTo(first.getSerialNumber());
        assertThat(second.getEncoded()).isEqualTo(first.getEncoded());
        assertThat(PemFiles.readCertificates(dataDir.resolve("tls/cert.pem")).getFirst().getEncoded())
                .isEqualTo(first.getEncoded());
    }

    @Test
    void privateKeyFileIsReadableByTheOwnerOnly() throws Exception {
        create("chatmail.localhost");

        assertThat(Files.getPosixFilePermissions(dataDir.resolve("tls/key.pem")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(dataDir.resolve("tls/key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void namesTheDomainAndItsWebNames() throws Exception {
        X509Certificate certificate = create("chatmail.localhost").currentCertificate();

        assertThat(CertificateNames.of(certificate).dnsNames()).containsExactlyInAnyOrder(
                "chatmail.localhost", "www.chatmail.localhost", "mta-sts.chatmail.localhost",
                "autoconfig.chatmail.localhost", "localhost");
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=chatmail.localhost");
        Duration validity = Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
        assertThat(validity).isGreaterThan(Duration.ofDays(3649));
    }

    @Test
    void underscoreDomainGetsItsOwnNames() throws Exception {
        X509Certificate certificate = create("_test.example.org").currentCertificate();

        assertThat(CertificateNames.of(certificate).dnsNames())
                .contains("_test.example.org", "www._test.example.org").doesNotContain("localhost");
    }

    @Test
    void ipOnlyRelayGetsAnIpAddressName() throws Exception {
        X509Certificate certificate = create("127.0.0.2").currentCertificate();

        CertificateNames names = CertificateNames.of(certificate);
        assertThat(names.ipAddresses()).containsExactly("127.0.0.2");
        assertThat(names.dnsNames()).isEmpty();
    }

    @Test
    void regeneratedWhenTheDomainChanges() throws Exception {
        X509Certificate before = create("one.localhost").currentCertificate();
        X509Certificate after = create("two.localhost").currentCertificate();

        assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        assertThat(CertificateNames.of(after).dnsNames()).contains("two.localhost").doesNotContain("one.localhost");
        assertThat(create("two.localhost").currentCertificate().getEncoded()).isEqualTo(after.getEncoded());
    }

    @Test
    void regeneratedWhenTheStoredFilesAreUnreadable() throws Exception {
        X509Certificate before = create("chatmail.localhost").currentCertificate();
        Files.writeString(dataDir.resolve("tls/cert.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");

        X509Certificate after = create("chatmail.localhost").currentCertificate();

        assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        assertThat(PemFiles.readKeyMaterial(dataDir.resolve("tls/cert.pem"), dataDir.resolve("tls/key.pem")).leaf())
                .isEqualTo(after);
    }

    @Test
    void clientsAreServedTheGeneratedCertificate() throws Exception {
        TlsContexts tls = create("chatmail.localhost");
        try (SSLServerSocket server = tls.bindImplicit(TlsPolicy.CLIENT, TlsTestConnections.LOOPBACK_ANY_PORT, 10)) {
            TlsTestConnections.handshakeEveryConnection(server);

            X509Certificate seen = TlsTestConnections.serverCertificateSeenBy(server.getLocalPort());

            assertThat(seen).isEqualTo(tls.currentCertificate());
        }
    }

    @Test
    void validityStartsAtTheInjectedClock() {
        Instant start = Instant.parse("2030-01-01T00:00:00Z");
        KeyMaterial material = SelfSignedCertificate.generate("x.localhost",
                new CertificateNames(Set.of("x.localhost"), Set.of()), new MutableClock(start));

        assertThat(material.leaf().getNotBefore().toInstant()).isBetween(start.minus(Duration.ofDays(1)), start);
        assertThat(material.chain()).hasSize(1);
        assertThat(List.of(material.leaf().getNotAfter().toInstant()))
                .allSatisfy(end -> assertThat(end).isAfter(start.plus(Duration.ofDays(3649))));
    }
}
