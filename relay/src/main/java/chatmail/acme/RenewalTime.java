package chatmail.acme;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When the relay renews a certificate (OPS-1): two thirds into its lifetime (Let's Encrypt's
 * 90-day certificates at 60 days, 6-day ones after 4), or earlier when the CA's ARI window
 * says so.
 */
public final class RenewalTime {
    private RenewalTime() {
    }

    public static Instant twoThirds(X509Certificate certificate) {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Duration lifetime = Duration.between(notBefore, certificate.getNotAfter().toInstant());
        return notBefore.plus(lifetime.multipliedBy(2).dividedBy(3));
    }

    /**
     * @param ariChoice the moment picked in the CA's current renewal window, when it has one
     */
    public static Instant renewAt(X509Certificate certificate, Optional<Instant> ariChoice) {
        Instant twoThirds = twoThirds(certificate);
        return ariChoice.filter(twoThirds::isAfter).orElse(twoThirds);
    }
}
