package chatmail.status;

import chatmail.config.Config;
import chatmail.tls.CertificateNames;
import chatmail.tls.TlsContexts;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where status learns which certificates are served. Today: the one certificate of
 * {@link TlsContexts} (external files or self-signed); a certificate source that renews by
 * itself (ACME) supplies its own implementation with renewal times.
 */
@FunctionalInterface
public interface CertificateStatus {

    List<CertificateInfo> certificates();

    /** The certificate new connections get now, without a renewal time. */
    static CertificateStatus of(TlsContexts tls, Config config) {
        String source = config.tlsMode() == Config.TlsMode.SELF_SIGNED ? "self-signed"
                : config.tlsMode().name().toLowerCase(Locale.ROOT);
        return () -> {
            X509Certificate leaf = tls.currentCertificate();
            List<String> names = new ArrayList<>();
            try {
                CertificateNames san = CertificateNames.of(leaf);
                san.dnsNames().stream().sorted().forEach(names::add);
                san.ipAddresses().stream().sorted().forEach(names::add);
            } catch (CertificateParsingException e) {
                names.add(leaf.getSubjectX500Principal().getName());
            }
            return List.of(new CertificateInfo(source, names, leaf.getNotBefore().toInstant(),
                    leaf.getNotAfter().toInstant(), Optional.empty()));
        };
    }
}
