package chatmail.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Server key manager that serves whatever {@link KeyMaterialSource} currently holds, so a
 * reloaded certificate takes effect for the next handshake.
 *
 * <p>JSSE first chooses an alias and then asks for that alias's chain and key. Each piece of
 * material gets its own alias, and the previous one stays resolvable, so a reload between
 * those calls cannot pair a new certificate with an old key.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private final KeyMaterialSource source;
    private final Object lock = new Object();
    private long generation;
    private volatile Served latest;
    private volatile Served previous;

    private record Served(String alias, KeyMaterial material) {
    }

    ReloadingKeyManager(KeyMaterialSource source) {
        this.source = source;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = aliasFor(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Served served = lookup(alias);
        return served == null ? null : served.material().chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Served served = lookup(alias);
        return served == null ? null : served.material().privateKey();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }

    private String aliasFor(String keyType) {
        KeyMaterial material = source.current();
        if (!keyTypeMatches(keyType, material.privateKey().getAlgorithm())) {
            // JSSE asks once per signature scheme; answering only for our key's type lets it pick a usable one.
            return null;
        }
        return served(material).alias();
    }

    private Served served(KeyMaterial material) {
        Served current = latest;
        if (current != null && current.material() == material) {
            return current;
        }
        synchronized (lock) {
            if (latest != null && latest.material() == material) {
                return latest;
            }
            previous = latest;
            latest = new Served("chatmail-" + (++generation), material);
            return latest;
        }
    }

    private Served lookup(String alias) {
        Served current = latest;
        if (current != null && current.alias().equals(alias)) {
            return current;
        }
        Served before = previous;
        if (before != null && before.alias().equals(alias)) {
            return before;
        }
        return null;
    }

    static boolean keyTypeMatches(String keyType, String keyAlgorithm) {
        if (keyType.equals(keyAlgorithm)) {
            return true;
        }
        return switch (keyType) {
            case "EC" -> keyAlgorithm.equals("ECDSA");
            case "EdDSA" -> keyAlgorithm.equals("Ed25519") || keyAlgorithm.equals("Ed448");
            default -> false;
        };
    }
}
