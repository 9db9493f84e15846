package chatmail.tls.x25519;

import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.KeyAgreementSpi;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * X25519 key agreement for any X25519 key (this provider's or another's, through
 * {@link XECPrivateKey#getScalar()} and {@link XECPublicKey#getU()}). Keys of another curve are
 * refused at {@code init}, so that JCA hands them to the next provider.
 */
final class X25519KeyAgreement extends KeyAgreementSpi {
    private final LongAdder computed;
    private byte[] scalar;
    private byte[] secret;

    X25519KeyAgreement(LongAdder computed) {
        this.computed = computed;
    }

    @Override
    protected void engineInit(Key key, SecureRandom random) throws InvalidKeyException {
        scalar = scalarOf(key);
        secret = null;
    }

    @Override
    protected void engineInit(Key key, AlgorithmParameterSpec params, SecureRandom random)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        byte[] k = scalarOf(key);
        if (params != null && !X25519Params.named(params)) {
            throw new InvalidAlgorithmParameterException("only X25519 here");
        }
        scalar = k;
        secret = null;
    }

    private static byte[] scalarOf(Key key) throws InvalidKeyException {
        if (key instanceof X25519PrivateKey ours) {
            return ours.bytes();
        }
        if (!(key instanceof XECPrivateKey other) || !X25519Params.named(other.getParams())) {
            throw new InvalidKeyException("only X25519 private keys here");
        }
        byte[] k = other.getScalar().orElseThrow(() -> new InvalidKeyException("the key holds no scalar"));
        if (k.length != X25519.SCALAR_SIZE) {
            throw new InvalidKeyException("an X25519 scalar has 32 bytes, not " + k.length);
        }
        return k;
    }

    @Override
    protected Key engineDoPhase(Key key, boolean lastPhase) throws InvalidKeyException {
        if (scalar == null) {
            throw new IllegalStateException("not initialized");
        }
        if (secret != null) {
            throw new IllegalStateException("the phase has been done");
        }
        if (!lastPhase) {
            throw new IllegalStateException("X25519 has two parties: lastPhase must be true");
        }
        byte[] u;
        if (key instanceof X25519PublicKey ours) {
            u = ours.bytes();
        } else if (key instanceof XECPublicKey other && X25519Params.named(other.getParams())) {
            u = X25519PublicKey.encode(other.getU());
        } else {
            throw new InvalidKeyException("only X25519 public keys here");
        }
        byte[] shared = new byte[X25519.POINT_SIZE];
        // RFC 7748 section 6.1: a peer's point of small order gives the all-zero secret, which
        // must be refused (false here); SunEC refuses it the same way.
        if (!X25519.calculateAgreement(scalar, 0, u, 0, shared, 0)) {
            throw new InvalidKeyException("Point has small order");
        }
        secret = shared;
        computed.increment();
        return null;
    }

    @Override
    protected byte[] engineGenerateSecret() {
        if (secret == null) {
            throw new IllegalStateException("no phase done");
        }
        byte[] result = secret;
        secret = null;
        return result;
    }

    @Override
    protected int engineGenerateSecret(byte[] sharedSecret, int offset) throws ShortBufferException {
        if (secret == null) {
            throw new IllegalStateException("no phase done");
        }
        if (sharedSecret.length - offset < secret.length) {
            throw new ShortBufferException("need " + secret.length + " bytes, have " + (sharedSecret.length - offset));
        }
        System.arraycopy(secret, 0, sharedSecret, offset, secret.length);
        int length = secret.length;
        secret = null;
        return length;
    }

    @Override
    protected SecretKey engineGenerateSecret(String algorithm) throws NoSuchAlgorithmException {
        if (algorithm == null) {
            throw new NoSuchAlgorithmException("no algorithm named");
        }
        // The outputs SunEC allows: a raw secret under another name could pass for a cipher key.
        if (!algorithm.equalsIgnoreCase("TlsPremasterSecret") && !algorithm.equalsIgnoreCase("Generic")) {
            throw new NoSuchAlgorithmException("unsupported secret key algorithm: " + algorithm);
        }
        return new SecretKeySpec(engineGenerateSecret(), algorithm);
    }
}
