package chatmail.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CFG-4: which certificate a relay uses; ACME mode serves a self-signed stand-in until it has one (OPS-1). */
class TlsModeTest {
    @TempDir
    Path dataDir;

    @Test
    void publicDomainWithoutCertificateFilesServesASelfSignedStandInUntilAcmeInstallsACertificate() throws Exception {
        Config.Builder builder = Config.builder("chat.example.org");
        builder.dataDir = dataDir;
        TlsContexts tls = TlsContexts.create(builder.build());
        IssuedCertificateSource acme = tls.issuedCertificates().orElseThrow();

        try (SSLServerSocket server = tls.bindImplicit(TlsPolicy.CLIENT, TlsTestConnections.LOOPBACK_ANY_PORT, 10)) {
            TlsTestConnections.handshakeEveryConnection(server);
            X509Certificate standIn = TlsTestConnections.serverCertificateSeenBy(server.getLocalPort());
            assertThat(standIn.getIssuerX500Principal()).isEqualTo(standIn.getSubjectX500Principal());
            assertThat(CertificateNames.of(standIn).dnsNames()).containsExactlyInAnyOrder("chat.example.org",
                    "www.chat.example.org", "mta-sts.chat.example.org", "autoconfig.chat.example.org");
            assertThat(dataDir.resolve("tls/cert.pem")).exists();
            assertThat(acme.issued()).isEmpty();

            KeyMaterial issued = TestPki.leaf("chat.example.org", TestPki.certificateAuthority("a CA"), TestPki.ecKeys());
            acme.install(issued);

            assertThat(TlsTestConnections.serverCertificateSeenBy(server.getLocalPort())).isEqualTo(issued.leaf());
            assertThat(tls.currentCertificate()).isEqualTo(issued.leaf());
        }
    }

    @Test
    void otherModesHaveNoIssuedCertificates() {
        Config.Builder builder = Config.builder("_test.example.org");
        builder.dataDir = dataDir;
        assertThat(TlsContexts.create(builder.build()).issuedCertificates()).isEmpty();
    }

    @Test
    void certificateFileWithoutKeyFileRefusesToStart() throws Exception {
        Config.Builder builder = Config.builder("chat.example.org");
        builder.dataDir = dataDir;
        builder.tlsCertFile = Files.writeString(dataDir.resolve("cert.pem"), "");

        assertThatThrownBy(() -> TlsContexts.create(builder.build()))
                .isInstanceOf(TlsConfigurationException.class)
                .hasMessageContaining("two paths");
    }

    @Test
    void externalFilesWinOverSelfSignedForUnderscoreDomains() throws Exception {
        KeyMaterial external = TestPki.selfSignedLeaf("operator.example");
        Config.Builder builder = Config.builder("_test.example.org");
        builder.dataDir = dataDir;
        builder.tlsCertFile = dataDir.resolve("cert.pem");
        builder.tlsKeyFile = dataDir.resolve("key.pem");
        TestPki.writeMaterial(external, builder.tlsCertFile, builder.tlsKeyFile);

        assertThat(TlsContexts.create(builder.build()).currentCertificate()).isEqualTo(external.leaf());
        assertThat(dataDir.resolve("tls")).doesNotExist();
    }
}
