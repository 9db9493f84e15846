package chatmail.web;

import java.util.Optional;

/**
 * The answers to ACME HTTP-01 challenges (RFC 8555 8.3) while an order waits for the CA: the
 * key authorization for a token. The ACME client keeps them in memory; the web side only asks.
 */
@FunctionalInterface
public interface AcmeHttpAnswers {
    Optional<String> keyAuthorization(String token);

    /** No challenge pending, ever (relays that do not use ACME). */
    static AcmeHttpAnswers none() {
        return token -> Optional.empty();
    }
}
