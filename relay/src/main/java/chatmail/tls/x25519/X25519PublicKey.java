package chatmail.tls.x25519;

import java.math.BigInteger;
import java.security.interfaces.XECPublicKey;
import java.util.Arrays;

/** An X25519 public key: its u-coordinate, 32 bytes little-endian as on the wire (RFC 7748). */
final class X25519PublicKey extends X25519Key implements XECPublicKey {
    private static final long serialVersionUID = 1L;
    static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    /** SubjectPublicKeyInfo for id-X25519 (RFC 8410) up to the key's 32 bytes. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00};

    private final byte[] u;

    X25519PublicKey(byte[] u) {
        super("X.509", X509_PREFIX);
        this.u = u;
    }

    /**
     * The 32 bytes for {@code u} reduced modulo p, as SunEC's key does: a peer's share with its
     * top bit set then gives the same secret with either provider.
     */
    static byte[] encode(BigInteger u) {
        byte[] bigEndian = u.mod(P).toByteArray();
        byte[] littleEndian = new byte[32];
        for (int i = 0; i < littleEndian.length && i < bigEndian.length; i++) {
            littleEndian[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return littleEndian;
    }

    /** The u-coordinate's bytes; not a copy, so callers must not change them. */
    @Override
    byte[] bytes() {
        return u;
    }

    @Override
    public BigInteger getU() {
        byte[] bigEndian = new byte[u.length];
        for (int i = 0; i < u.length; i++) {
            bigEndian[i] = u[u.length - 1 - i];
        }
        return new BigInteger(1, bigEndian);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof X25519PublicKey other && Arrays.equals(u, other.u);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(u);
    }
}
