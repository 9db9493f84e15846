package chatmail.tls.x25519;

import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactorySpi;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;

/**
 * X25519 keys from their values ({@link XECPublicKeySpec}, as JSSE makes a peer's key share
 * into a key, and {@link XECPrivateKeySpec}). Encoded keys and other curves are refused, and
 * JCA then asks the next provider.
 */
final class X25519KeyFactory extends KeyFactorySpi {

    @Override
    protected PublicKey engineGeneratePublic(KeySpec spec) throws InvalidKeySpecException {
        if (spec instanceof XECPublicKeySpec xec && X25519Params.named(xec.getParams())) {
            return new X25519PublicKey(X25519PublicKey.encode(xec.getU()));
        }
        throw new InvalidKeySpecException("only X25519 public key values here");
    }

    @Override
    protected PrivateKey engineGeneratePrivate(KeySpec spec) throws InvalidKeySpecException {
        if (spec instanceof XECPrivateKeySpec xec && X25519Params.named(xec.getParams())
                && xec.getScalar().length == 32) {
            return new X25519PrivateKey(xec.getScalar().clone());
        }
        throw new InvalidKeySpecException("only X25519 private key values here");
    }

    @Override
    protected <T extends KeySpec> T engineGetKeySpec(Key key, Class<T> type) throws InvalidKeySpecException {
        if (key instanceof X25519PublicKey pub && type.isAssignableFrom(XECPublicKeySpec.class)) {
            return type.cast(new XECPublicKeySpec(pub.getParams(), pub.getU()));
        }
        if (key instanceof X25519PrivateKey priv && type.isAssignableFrom(XECPrivateKeySpec.class)) {
            return type.cast(new XECPrivateKeySpec(priv.getParams(), priv.getScalar().orElseThrow()));
        }
        throw new InvalidKeySpecException("only this provider's keys as values here");
    }

    @Override
    protected Key engineTranslateKey(Key key) throws InvalidKeyException {
        if (key instanceof X25519PublicKey || key instanceof X25519PrivateKey) {
            return key;
        }
        throw new InvalidKeyException("only this provider's keys here");
    }
}
