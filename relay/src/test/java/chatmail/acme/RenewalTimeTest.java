package chatmail.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.tls.CertificateNames;
import chatmail.tls.SelfSignedCertificate;
import chatmail.testing.MutableClock;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** OPS-1: renewal at two thirds of the lifetime, earlier when the CA's ARI window says so; and why to order. */
class RenewalTimeTest {

    /** notBefore is backdated one hour by the generator: the lifetime is VALIDITY plus that hour. */
    final X509Certificate certificate = SelfSignedCertificate.generate("chat.example",
            new CertificateNames(Set.of("chat.example", "www.chat.example"), Set.of()),
            new MutableClock(Instant.parse("2026-01-01T00:00:00Z"))).leaf();
    final Instant notBefore = certificate.getNotBefore().toInstant();
    final Instant notAfter = certificate.getNotAfter().toInstant();

    @Test
    void renewalIsDueTwoThirdsIntoTheLifetime() {
        Instant twoThirds = RenewalTime.twoThirds(certificate);
        assertThat(Duration.between(notBefore, twoThirds).multipliedBy(3))
                .isEqualTo(Duration.between(notBefore, notAfter).multipliedBy(2));
        assertThat(RenewalTime.renewAt(certificate, Optional.empty())).isEqualTo(twoThirds);
    }

    @Test
    void anAriChoiceBeforeTwoThirdsWinsOneAfterDoesNot() {
        Instant early = notBefore.plus(Duration.ofDays(3));
        assertThat(RenewalTime.renewAt(certificate, Optional.of(early))).isEqualTo(early);
        assertThat(RenewalTime.renewAt(certificate, Optional.of(notAfter))).isEqualTo(RenewalTime.twoThirds(certificate));
    }

    @Test
    void aWindowPickIsInsideTheWindow() {
        Instant start = Instant.parse("2026-02-01T00:00:00Z");
        RenewalWindow window = new RenewalWindow(start, start.plus(Duration.ofHours(2)));
        Random random = new Random(42);
        for (int i = 0; i < 100; i++) {
            assertThat(window.pick(random)).isBetween(window.start(), window.end());
        }
        assertThat(new RenewalWindow(start, start).pick(random)).isEqualTo(start);
        assertThatThrownBy(() -> new RenewalWindow(start, start.minusSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReasonToOrder() {
        Instant renewAt = RenewalTime.twoThirds(certificate);
        Instant before = renewAt.minusSeconds(1);
        Set<String> same = Set.of("chat.example", "www.chat.example");
        assertThat(OrderReason.of(Optional.empty(), same, renewAt, before)).contains("no certificate yet");
        assertThat(OrderReason.of(Optional.of(certificate), same, renewAt, before)).isEmpty();
        assertThat(OrderReason.of(Optional.of(certificate), Set.of("chat.example"), renewAt, before))
                .as("a name that stopped resolving is no reason").isEmpty();
        assertThat(OrderReason.of(Optional.of(certificate), Set.of("chat.example", "mta-sts.chat.example"), renewAt, before))
                .contains("mta-sts.chat.example resolves now and the certificate lacks it");
        assertThat(OrderReason.of(Optional.of(certificate), same, renewAt, renewAt)).contains("renewal due");
        assertThat(OrderReason.of(Optional.of(certificate), same, renewAt, notAfter)).contains("the certificate expired");
    }

}
