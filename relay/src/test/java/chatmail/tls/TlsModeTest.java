package chatmail.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CFG-4: which certificate a relay uses, and refusing to start when it would need ACME. */
class TlsModeTest {
    @TempDir
    Path dataDir;

    @Test
    void publicDomainWithoutCertificateFilesRefusesToStart() {
        Config.Builder builder = Config.builder("chat.example.org");
        builder.dataDir = dataDir;

        assertThatThrownBy(() -> TlsContexts.create(builder.build()))
                .isInstanceOf(TlsConfigurationException.class)
                .hasMessageContaining("chat.example.org")
                .hasMessageContaining("set tls_external_cert_and_key")
                .hasMessageContaining("ACME is not yet supported");
        assertThat(dataDir.resolve("tls")).as("no certificate generated for a public domain").doesNotExist();
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
