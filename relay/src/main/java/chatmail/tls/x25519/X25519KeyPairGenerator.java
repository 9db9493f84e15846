package chatmail.tls.x25519;

import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidParameterException;
import java.security.KeyPair;
import java.security.KeyPairGeneratorSpi;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.atomic.LongAdder;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * X25519 key pairs. Any other curve is refused at {@code initialize}, where JCA then tries the
 * next provider (SunEC for X448).
 */
final class X25519KeyPairGenerator extends KeyPairGeneratorSpi {
    private final LongAdder made;
    private SecureRandom random;

    X25519KeyPairGenerator(LongAdder made) {
        this.made = made;
    }

    @Override
    public void initialize(int keysize, SecureRandom random) {
        if (keysize != 255) {
            throw new InvalidParameterException("only X25519 (255 bits) here, not " + keysize);
        }
        this.random = random;
    }

    @Override
    public void initialize(AlgorithmParameterSpec params, SecureRandom random) throws InvalidAlgorithmParameterException {
        if (!X25519Params.named(params)) {
            throw new InvalidAlgorithmParameterException("only X25519 here");
        }
        this.random = random;
    }

    @Override
    public KeyPair generateKeyPair() {
        byte[] scalar = new byte[X25519.SCALAR_SIZE];
        X25519.generatePrivateKey(random != null ? random : DefaultRandom.INSTANCE, scalar);
        byte[] u = new byte[X25519.POINT_SIZE];
        X25519.generatePublicKey(scalar, 0, u, 0);
        made.increment();
        return new KeyPair(new X25519PublicKey(u), new X25519PrivateKey(scalar));
    }

    /** Made on first use without a caller's random: seeding is not free. */
    private static final class DefaultRandom {
        static final SecureRandom INSTANCE = new SecureRandom();
    }
}
