package chatmail.acme;

import chatmail.tls.KeyMaterial;
import java.io.IOException;
import java.util.Optional;

/**
 * What ACME keeps between orders and restarts (OPS-1): the account, the certificate with its
 * key, and the challenges the CA may check right now. One node keeps it in
 * {@code data_dir/acme} ({@link FileAcmeState}); relays of several nodes share it in PostgreSQL
 * ({@link PostgresAcmeState}, SCALE-2).
 */
public interface AcmeState {

    Optional<AcmeAccount> account() throws IOException;

    void saveAccount(AcmeAccount account) throws IOException;

    /** The last certificate obtained, chain leaf first, with its private key. */
    Optional<KeyMaterial> certificate() throws IOException;

    void saveCertificate(KeyMaterial certificate) throws IOException;

    /** Makes a challenge answerable; call before asking the CA to check it. */
    void publish(PendingChallenge challenge);

    /** The challenge is decided (or abandoned): stop answering it. */
    void withdraw(PendingChallenge challenge);

    /** The key authorization for an HTTP-01 token, while that challenge is pending. */
    Optional<String> http01(String token);

    /** The TLS-ALPN-01 validation value for a name (lower case), while that challenge is pending. */
    Optional<byte[]> tlsAlpn01(String name);

    /**
     * True when other nodes save into this state too: a node then looks for their certificate
     * at every round and orders only under the cluster's lease.
     */
    default boolean shared() {
        return false;
    }

    /** Changes with every certificate saved, by any node sharing the state; 0 while none is stored. */
    default long certificateVersion() throws IOException {
        return 0;
    }
}
