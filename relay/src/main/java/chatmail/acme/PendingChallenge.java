package chatmail.acme;

/**
 * A challenge the CA may check while an order waits: what the relay must answer, and nothing
 * else (no keys), so every node of a relay can answer it from shared state (SCALE-2).
 */
public sealed interface PendingChallenge {

    /** HTTP-01 (RFC 8555 8.3): {@code /.well-known/acme-challenge/<token>} answers the key authorization. */
    record Http01(String token, String keyAuthorization) implements PendingChallenge {}

    /**
     * TLS-ALPN-01 (RFC 8737): a handshake with ALPN {@code acme-tls/1} and SNI {@code name} gets a
     * certificate for that name carrying {@code validation} (SHA-256 of the key authorization).
     */
    record TlsAlpn01(String name, byte[] validation) implements PendingChallenge {
        public TlsAlpn01 {
            validation = validation.clone();
        }

        @Override
        public byte[] validation() {
            return validation.clone();
        }
    }
}
