package chatmail.tls.x25519;

import java.security.Key;
import java.security.interfaces.XECKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

/**
 * What a key of either kind says of itself to JCA: algorithm XDH on the X25519 curve, and its
 * encoding, the RFC 8410 structure's fixed DER prefix followed by the key's 32 bytes.
 */
abstract sealed class X25519Key implements XECKey, Key permits X25519PrivateKey, X25519PublicKey {
    private static final long serialVersionUID = 1L;

    private final String format;
    private final byte[] derPrefix;

    X25519Key(String format, byte[] derPrefix) {
        this.format = format;
        this.derPrefix = derPrefix;
    }

    /** The key's 32 bytes; not a copy. */
    abstract byte[] bytes();

    @Override
    public final AlgorithmParameterSpec getParams() {
        return NamedParameterSpec.X25519;
    }

    @Override
    public final String getAlgorithm() {
        return "XDH";
    }

    @Override
    public final String getFormat() {
        return format;
    }

    @Override
    public final byte[] getEncoded() {
        byte[] key = bytes();
        byte[] encoded = Arrays.copyOf(derPrefix, derPrefix.length + key.length);
        System.arraycopy(key, 0, encoded, derPrefix.length, key.length);
        return encoded;
    }
}
