package chatmail.cli;

import chatmail.acme.FileAcmeState;
import chatmail.acme.RenewalTime;
import chatmail.config.Config;
import chatmail.tls.CertificateStatus;
import chatmail.tls.KeyMaterial;
import chatmail.tls.PemFiles;
import chatmail.tls.SelfSignedCertificateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The certificate a relay serves, read from its files for commands that run beside it
 * ({@code dns --check}, OPS-1): names and expiry, and for ACME when renewal is due.
 */
final class StoredCertificate {
    private StoredCertificate() {
    }

    /** One comment line for a zone-file listing. */
    static String describe(Config config) {
        try {
            return switch (config.tlsMode()) {
                case ACME -> {
                    Optional<KeyMaterial> issued = new FileAcmeState(config.dataDir()).certificate();
                    if (issued.isEmpty()) {
                        yield "; certificate: none from ACME yet (" + config.acmeDirectory().getHost()
                                + "); the relay serves a self-signed one until the CA issues one";
                    }
                    X509Certificate leaf = issued.get().leaf();
                    yield line("ACME", leaf) + ", renewal due " + RenewalTime.twoThirds(leaf)
                            + " (earlier if the CA's renewal window says so)";
                }
                case EXTERNAL -> line("tls_external_cert_and_key", PemFiles.readCertificates(config.tlsCertFile()).getFirst());
                case SELF_SIGNED -> {
                    SelfSignedCertificateFiles files = new SelfSignedCertificateFiles(config.dataDir(), Clock.systemUTC());
                    yield Files.exists(files.certificateFile())
                            ? line("self-signed", PemFiles.readCertificates(files.certificateFile()).getFirst())
                            : "; certificate: self-signed, made when the relay first starts";
                }
            };
        } catch (IOException | RuntimeException e) {
            return "; certificate: cannot be read (" + e.getMessage() + ")";
        }
    }

    private static String line(String source, X509Certificate leaf) {
        List<String> names = CertificateStatus.namesOf(leaf);
        return "; certificate (" + source + "): " + String.join(", ", names) + ", valid until "
                + leaf.getNotAfter().toInstant();
    }
}
