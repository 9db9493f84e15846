package chatmail.status;

import chatmail.config.Config;
import chatmail.tls.CertificateStatus;
import java.util.List;
import java.util.function.Supplier;

/** Where status learns which certificates are served and, for ACME, when they renew (OPS-1, OPS-3). */
@FunctionalInterface
public interface CertificateSource {

    List<CertificateInfo> certificates();

    /** The certificate new connections get now, as the relay's TLS side reports it. */
    static CertificateSource of(Supplier<CertificateStatus> current) {
        return () -> {
            CertificateStatus s = current.get();
            return List.of(new CertificateInfo(sourceOf(s), s.names(), s.notBefore(), s.notAfter(), s.renewalDue()));
        };
    }

    private static String sourceOf(CertificateStatus s) {
        if (s.standIn()) {
            return "self-signed";
        }
        return switch (s.mode()) {
            case ACME -> "acme";
            case EXTERNAL -> "external";
            default -> "self-signed";
        };
    }
}
