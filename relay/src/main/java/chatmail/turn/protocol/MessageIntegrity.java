package chatmail.turn.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * MESSAGE-INTEGRITY (RFC 8489 section 14.5): HMAC-SHA1 over the message up to the attribute, with
 * the header's length counting up to and including it. Long-term credentials key it with
 * MD5(username ":" realm ":" password).
 */
public final class MessageIntegrity {
    public static final int LENGTH = 20;

    private MessageIntegrity() {}

    /**
     * The long-term key. Our user names and passwords are ASCII (a Unix time and base64), so the
     * OpaqueString profile of RFC 8265 leaves them as they are.
     */
    public static byte[] longTermKey(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5")
                    .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    /**
     * The HMAC for a MESSAGE-INTEGRITY attribute that starts {@code integrityOffset} bytes into
     * {@code message} (at {@code offset}).
     */
    public static byte[] compute(byte[] key, byte[] message, int offset, int integrityOffset) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            int adjusted = integrityOffset - Stun.HEADER_LENGTH + 4 + LENGTH;
            mac.update(message, offset, 2);
            mac.update((byte) (adjusted >> 8));
            mac.update((byte) adjusted);
            mac.update(message, offset + 4, integrityOffset - 4);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA1", e);
        }
    }

    /** Whether the message (as parsed from these bytes) carries a MESSAGE-INTEGRITY made with this key. */
    public static boolean verify(byte[] key, byte[] message, int offset, StunMessage parsed) {
        if (parsed.integrityOffset() < 0) {
            return false;
        }
        int valueStart = offset + parsed.integrityOffset() + 4;
        byte[] expected = compute(key, message, offset, parsed.integrityOffset());
        byte[] actual = java.util.Arrays.copyOfRange(message, valueStart, valueStart + LENGTH);
        return MessageDigest.isEqual(expected, actual);
    }
}
