package chatmail.acme;

import java.net.URI;
import java.net.URL;
import java.security.KeyPair;
import java.util.Optional;

/**
 * The relay's account at a CA: its key pair, which identifies it, the CA's directory it belongs
 * to (an account, and the certificates it obtained, are worth nothing at another CA, as after a
 * switch from staging to production), and the account URL once the CA has registered it (a key
 * without URL is registered again, which the CA answers with the existing account).
 */
public record AcmeAccount(KeyPair keys, URI directory, Optional<URL> location) {}
