package chatmail.tls.x25519;

import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A JCA provider with only what a TLS 1.3 x25519 key exchange asks for: X25519 key pairs, key
 * agreement and the key factory that turns a peer's key share into a key, under the names JSSE
 * uses ("XDH") and the curve's own ("X25519"). The arithmetic is Bouncy Castle's RFC 7748
 * code, about three times as fast as SunEC's here (docs/decisions.md, "Restart storm").
 *
 * <p>Installed first, it is asked before SunEC; whatever it does not do (X448 through "XDH",
 * encoded key specs, every other algorithm) it refuses with the checked exception the engine
 * expects, and JCA's provider selection moves on to SunEC as if this provider were not there.
 */
public final class X25519Provider extends Provider {
    public static final String NAME = "ChatmailX25519";

    private static final long serialVersionUID = 1L;

    private final transient LongAdder keyPairs = new LongAdder();
    private final transient LongAdder agreements = new LongAdder();

    X25519Provider() {
        super(NAME, "1", "X25519 key pairs and key agreement (RFC 7748) for TLS");
        for (String algorithm : List.of("XDH", "X25519")) {
            service("KeyPairGenerator", algorithm, X25519KeyPairGenerator.class, () -> new X25519KeyPairGenerator(keyPairs));
            service("KeyAgreement", algorithm, X25519KeyAgreement.class, () -> new X25519KeyAgreement(agreements));
            service("KeyFactory", algorithm, X25519KeyFactory.class, X25519KeyFactory::new);
        }
    }

    /**
     * Puts the provider first in the JVM's list unless it is there already; the provider in use.
     * Every handshake after it uses it: JSSE looks its engines up anew per handshake.
     */
    public static synchronized X25519Provider install() {
        if (Security.getProvider(NAME) instanceof X25519Provider installed) {
            return installed;
        }
        X25519Provider provider = new X25519Provider();
        Security.insertProviderAt(provider, 1);
        return provider;
    }

    /** Key pairs made since the start, for telling whether TLS used this provider. */
    public long keyPairs() {
        return keyPairs.sum();
    }

    /** Shared secrets computed since the start. */
    public long agreements() {
        return agreements.sum();
    }

    private void service(String type, String algorithm, Class<?> implementation, Supplier<Object> engine) {
        // Made directly rather than by reflection on a class name: no public constructors to
        // expose, and nothing to look up per handshake.
        putService(new Service(this, type, algorithm, implementation.getName(), null, null) {
            @Override
            public Object newInstance(Object constructorParameter) {
                return engine.get();
            }
        });
    }
}
