package chatmail.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's certificate chain and key ({@code tls_external_cert_and_key}, CFG-4),
 * reloaded when the files change so renewed certificates reach new connections without a
 * restart. The files are looked at, at most once per check interval, on a handshake; a
 * replacement that does not load (half-written, key and certificate not matching, garbage) is
 * logged and the previous material keeps being served.
 */
public final class ExternalCertificateFiles implements KeyMaterialSource {
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(ExternalCertificateFiles.class);

    private final Path certificateFile;
    private final Path keyFile;
    private final Clock clock;
    private final Duration checkInterval;
    private final ReentrantLock checking = new ReentrantLock();

    private volatile KeyMaterial current;
    private volatile Instant nextCheck;
    /** Stamp of the files at the last load attempt, successful or not: retry only after a change. */
    private FilesStamp attemptedStamp;

    /**
     * Loads the files now.
     *
     * @throws TlsConfigurationException when they cannot be loaded: at start-up that is fatal
     */
    public ExternalCertificateFiles(Path certificateFile, Path keyFile, Clock clock, Duration checkInterval) {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.clock = clock;
        this.checkInterval = checkInterval;
        this.attemptedStamp = FilesStamp.of(certificateFile, keyFile);
        try {
            this.current = PemFiles.readKeyMaterial(certificateFile, keyFile);
        } catch (IOException e) {
            throw new TlsConfigurationException("tls_external_cert_and_key: cannot load "
                    + certificateFile + " and " + keyFile + ": " + e.getMessage(), e);
        }
        this.nextCheck = clock.instant().plus(checkInterval);
    }

    @Override
    public KeyMaterial current() {
        if (!clock.instant().isBefore(nextCheck) && checking.tryLock()) {
            // Handshakes that arrive while another one checks keep the current material rather than wait.
            try {
                checkForChange();
            } finally {
                checking.unlock();
            }
        }
        return current;
    }

    private void checkForChange() {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) {
            return;
        }
        nextCheck = now.plus(checkInterval);
        FilesStamp stamp = FilesStamp.of(certificateFile, keyFile);
        if (stamp.equals(attemptedStamp)) {
            return;
        }
        attemptedStamp = stamp;
        try {
            current = PemFiles.readKeyMaterial(certificateFile, keyFile);
            log.info("reloaded the TLS certificate from {}", certificateFile);
        } catch (IOException | RuntimeException e) {
            log.warn("the TLS certificate files {} and {} changed but do not load ({}); "
                    + "still serving the previous certificate", certificateFile, keyFile, e.getMessage());
        }
    }

    /** Size, modification time and file identity of both files; a rename-into-place changes the identity. */
    private record FilesStamp(FileStamp certificate, FileStamp key) {
        static FilesStamp of(Path certificateFile, Path keyFile) {
            return new FilesStamp(FileStamp.of(certificateFile), FileStamp.of(keyFile));
        }
    }

    private record FileStamp(Object fileKey, long size, long modifiedNanos) {
        static final FileStamp MISSING = new FileStamp(null, -1, -1);

        static FileStamp of(Path file) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return new FileStamp(attributes.fileKey(), attributes.size(),
                        attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
            } catch (IOException e) {
                return MISSING;
            }
        }
    }
}
