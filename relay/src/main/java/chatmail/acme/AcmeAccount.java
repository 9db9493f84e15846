package chatmail.acme;

import java.net.URL;
import java.security.KeyPair;
import java.util.Optional;

/**
 * The relay's account at the CA: its key pair, which identifies it, and the account URL once
 * the CA has registered it (a key without URL is registered again, which the CA answers with
 * the existing account).
 */
public record AcmeAccount(KeyPair keys, Optional<URL> location) {}
