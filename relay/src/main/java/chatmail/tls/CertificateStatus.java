package chatmail.tls;

import chatmail.config.Config;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The server certificate as an operator asks about it (OPS-1, OPS-3): which names it carries,
 * until when it is valid and, with ACME, when it is renewed and what went wrong last. A
 * snapshot; read by {@code dns --check}, {@code status} and the metrics.
 *
 * @param mode where the certificate comes from (CFG-4)
 * @param standIn true while an ACME relay still serves its self-signed certificate because no
 *     CA-signed one exists yet
 * @param names the DNS names and IP addresses in its subjectAltName
 * @param renewalDue ACME: when the relay orders the next certificate (two thirds of the lifetime,
 *     or earlier in the CA's ARI window); empty otherwise
 * @param nextAttempt ACME: when the relay tries next after a failed order; empty when nothing failed
 * @param lastProblem ACME: the last failed order's reason in one line; empty after a success
 */
public record CertificateStatus(Config.TlsMode mode, boolean standIn, List<String> names, Instant notBefore,
        Instant notAfter, Optional<Instant> renewalDue, Optional<Instant> nextAttempt, Optional<String> lastProblem) {

    public CertificateStatus {
        names = List.copyOf(names);
    }

    /** The status of a certificate nobody renews while the relay runs (external files, self-signed). */
    public static CertificateStatus of(Config.TlsMode mode, X509Certificate certificate) {
        return new CertificateStatus(mode, false, namesOf(certificate), certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The subjectAltNames of a certificate: DNS names, shortest (the domain) first, then IP addresses. */
    public static List<String> namesOf(X509Certificate certificate) {
        try {
            CertificateNames names = CertificateNames.of(certificate);
            Comparator<String> order = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());
            List<String> all = new ArrayList<>(names.dnsNames().stream().sorted(order).toList());
            all.addAll(names.ipAddresses().stream().sorted().toList());
            return all;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}
