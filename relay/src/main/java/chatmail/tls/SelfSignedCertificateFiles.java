package chatmail.tls;

import chatmail.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-signed certificate of a relay, kept in {@code <data_dir>/tls/cert.pem} and
 * {@code key.pem} (mode 0600). Generated once and reused, so clients that pinned or accepted
 * it keep working across restarts; regenerated only when the files are missing, unreadable or
 * name other hosts than the configuration asks for.
 */
public final class SelfSignedCertificateFiles {
    private static final Logger log = LoggerFactory.getLogger(SelfSignedCertificateFiles.class);

    private final Path directory;
    private final Clock clock;

    public SelfSignedCertificateFiles(Path dataDir, Clock clock) {
        this.directory = dataDir.resolve("tls");
        this.clock = clock;
    }

    public Path certificateFile() {
        return directory.resolve("cert.pem");
    }

    public Path keyFile() {
        return directory.resolve("key.pem");
    }

    /** The stored certificate when it fits {@code names}, else a freshly generated and stored one. */
    public KeyMaterial loadOrGenerate(String commonName, CertificateNames names) {
        KeyMaterial existing = loadMatching(names);
        if (existing != null) {
            return existing;
        }
        KeyMaterial generated = SelfSignedCertificate.generate(commonName, names, clock);
        try {
            store(generated);
        } catch (IOException e) {
            throw new TlsConfigurationException("cannot store the self-signed certificate in " + directory, e);
        }
        log.info("generated a self-signed certificate in {}", directory);
        return generated;
    }

    private KeyMaterial loadMatching(CertificateNames names) {
        if (!Files.exists(certificateFile()) && !Files.exists(keyFile())) {
            return null;
        }
        try {
            KeyMaterial material = PemFiles.readKeyMaterial(certificateFile(), keyFile());
            if (!CertificateNames.of(material.leaf()).equals(names)) {
                log.info("the self-signed certificate in {} names other hosts; generating a new one", directory);
                return null;
            }
            return material;
        } catch (IOException | java.security.cert.CertificateParsingException e) {
            log.warn("the self-signed certificate in {} is unreadable ({}); generating a new one",
                    directory, e.getMessage());
            return null;
        }
    }

    private void store(KeyMaterial material) throws IOException {
        PrivateFiles.createDirectories(directory);
        // Key first: a crash between the two leaves a certificate that no longer matches,
        // which the next start detects and regenerates.
        PrivateFiles.writeAtomically(keyFile(), PemFiles.toPem(material.privateKey()));
        PrivateFiles.writeAtomically(certificateFile(), PemFiles.toPem(material.chain().toArray()));
    }
}
