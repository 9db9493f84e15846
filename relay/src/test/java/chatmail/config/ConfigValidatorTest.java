package chatmail.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigValidatorTest {

    @Test
    void aPublicDomainWithoutCertificateFilesRunsWithAcme() throws Exception {
        Config c = ConfigLoader.parse("[params]\nmail_domain = chat.example.org\n").config();
        assertThatCode(() -> ConfigValidator.checkRunnable(c)).doesNotThrowAnyException();
        Config httpOnly = ConfigLoader.parse("[params]\nmail_domain = chat.example.org\nhttps_port = 0\n").config();
        assertThatCode(() -> ConfigValidator.checkRunnable(httpOnly)).doesNotThrowAnyException();
    }

    @Test
    void acmeWithoutAPortForTheChallengesRefusesToRunAndSaysWhatToSet() throws Exception {
        Config c = ConfigLoader.parse("[params]\nmail_domain = chat.example.org\nhttp_port = 0\nhttps_port = 0\n").config();
        assertThatThrownBy(() -> ConfigValidator.checkRunnable(c))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("chat.example.org")
                .hasMessageContaining("http_port and https_port are both 0")
                .hasMessageContaining("tls_external_cert_and_key =");
        Config selfSigned = ConfigLoader.parse("[params]\nmail_domain = _chat.example.org\nhttp_port = 0\nhttps_port = 0\n").config();
        assertThatCode(() -> ConfigValidator.checkRunnable(selfSigned)).as("no ACME, no challenge").doesNotThrowAnyException();
    }

    @Test
    void externalCertificateFilesMustExist(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = dir.resolve("key.pem");
        Config c = ConfigLoader.parse("[params]\nmail_domain = chat.example.org\n"
                + "tls_external_cert_and_key = " + cert + " " + key + "\n").config();
        assertThatThrownBy(() -> ConfigValidator.checkRunnable(c))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key file " + key)
                .hasMessageContaining("does not exist");
        Files.writeString(key, "x");
        assertThatCode(() -> ConfigValidator.checkRunnable(c)).doesNotThrowAnyException();
    }

    @Test
    void aTrustedCaFileMustExist(@TempDir Path dir) throws Exception {
        Config c = ConfigLoader.parse("[params]\nmail_domain = _x.org\ntrusted_ca_file = "
                + dir.resolve("ca.pem") + "\n").config();
        assertThatThrownBy(() -> ConfigValidator.checkRunnable(c))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("trusted_ca_file");
    }
}
