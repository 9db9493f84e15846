package chatmail.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A certificate the relay serves, as status shows it (OPS-1, OPS-3).
 *
 * @param source {@code self-signed}, {@code external} or {@code acme}
 * @param renewAt when it is due for renewal; only certificates the relay renews itself (ACME) have one
 */
public record CertificateInfo(String source, List<String> names, Instant notBefore, Instant notAfter,
        Optional<Instant> renewAt) {

    public CertificateInfo {
        names = List.copyOf(names);
    }

    public Duration lifetime() {
        return Duration.between(notBefore, notAfter);
    }
}
