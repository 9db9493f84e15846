package chatmail.acme;

import chatmail.tls.CertificateStatus;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Why the relay orders a certificate now (OPS-1), or nothing when the one it holds will do. */
public final class OrderReason {
    private OrderReason() {
    }

    /**
     * @param held the certificate obtained before, if any
     * @param wanted the names the certificate should carry now: the domain and the others that resolve
     * @param renewAt when {@code held} is due for renewal
     */
    public static Optional<String> of(Optional<X509Certificate> held, Set<String> wanted, Instant renewAt, Instant now) {
        if (held.isEmpty()) {
            return Optional.of("no certificate yet");
        }
        List<String> lacking = wanted.stream().filter(n -> !CertificateStatus.namesOf(held.get()).contains(n))
                .sorted().toList();
        if (!lacking.isEmpty()) {
            return Optional.of(String.join(", ", lacking) + (lacking.size() == 1 ? " resolves" : " resolve")
                    + " now and the certificate lacks " + (lacking.size() == 1 ? "it" : "them"));
        }
        if (!now.isBefore(held.get().getNotAfter().toInstant())) {
            return Optional.of("the certificate expired");
        }
        if (!now.isBefore(renewAt)) {
            return Optional.of("renewal due");
        }
        return Optional.empty();
    }
}
