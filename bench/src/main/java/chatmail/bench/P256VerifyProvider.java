package chatmail.bench;

import java.security.Provider;
import java.security.Security;

/**
 * For the load generator only: SHA256withECDSA verification on P-256 (the relay's
 * CertificateVerify) with Bouncy Castle's arithmetic, about twice as fast as SunEC's here.
 * Signing is refused at {@code initSign}, where JCA then takes the next provider (SunEC, faster
 * for signing); so are keys of other curves (docs/benchmarks.md, "The load generator's TLS").
 */
final class P256VerifyProvider extends Provider {
    static final String NAME = "ChatmailP256Verify";

    private static final long serialVersionUID = 1L;

    private P256VerifyProvider() {
        super(NAME, "1", "SHA256withECDSA verification on P-256");
        putService(new Service(this, "Signature", "SHA256withECDSA", P256Sha256Verifier.class.getName(), null, null) {
            @Override
            public Object newInstance(Object constructorParameter) {
                return new P256Sha256Verifier();
            }
        });
    }

    /** Puts the provider first unless it is there already. */
    static synchronized void install() {
        if (Security.getProvider(NAME) == null) {
            Security.insertProviderAt(new P256VerifyProvider(), 1);
        }
    }
}
