package chatmail.tls.x25519;

import java.security.interfaces.XECPrivateKey;
import java.util.Arrays;
import java.util.Optional;

/** An X25519 private key: its 32-byte scalar (RFC 7748). */
final class X25519PrivateKey extends X25519Key implements XECPrivateKey {
    private static final long serialVersionUID = 1L;
    /** PrivateKeyInfo for id-X25519 (RFC 8410) up to the scalar's 32 bytes. */
    private static final byte[] PKCS8_PREFIX = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e,
            0x04, 0x22, 0x04, 0x20};

    private final byte[] scalar;
    private volatile boolean destroyed;

    X25519PrivateKey(byte[] scalar) {
        super("PKCS#8", PKCS8_PREFIX);
        this.scalar = scalar;
    }

    /** The scalar itself, not a copy: for the key agreement, which only reads it. */
    @Override
    byte[] bytes() {
        if (destroyed) {
            throw new IllegalStateException("the key was destroyed");
        }
        return scalar;
    }

    @Override
    public Optional<byte[]> getScalar() {
        return Optional.of(bytes().clone());
    }

    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(scalar, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }
}
