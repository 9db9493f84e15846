package chatmail.turn;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Nonces of the long-term credential mechanism, valid for a limited time (SPEC TURN-1: 10
 * minutes) and for the client address they were given to. Stateless: the nonce carries its
 * issue time and a MAC with a key of this process, so a flood of unauthenticated requests costs
 * no memory. 16 characters, which keeps challenges small (TURN-3).
 */
final class Nonces {
    private final byte[] key = new byte[32];
    private final long lifetimeMillis;

    Nonces(long lifetimeMillis) {
        new SecureRandom().nextBytes(key);
        this.lifetimeMillis = lifetimeMillis;
    }

    String issue(InetAddress client, long nowMillis) {
        int seconds = (int) (nowMillis / 1000);
        ByteBuffer b = ByteBuffer.allocate(12);
        b.putInt(seconds).put(mac(seconds, client), 0, 8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** True when this server issued the nonce to this client address and it has not aged out. */
    boolean valid(String nonce, InetAddress client, long nowMillis) {
        if (nonce.length() != 16) {
            return false;
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        if (raw.length != 12) {
            return false;
        }
        int seconds = ByteBuffer.wrap(raw).getInt();
        long age = nowMillis - (seconds & 0xFFFFFFFFL) * 1000;
        if (age < -1000 || age >= lifetimeMillis) {
            return false;
        }
        byte[] expected = mac(seconds, client);
        return MessageDigest.isEqual(java.util.Arrays.copyOf(expected, 8), java.util.Arrays.copyOfRange(raw, 4, 12));
    }

    private byte[] mac(int seconds, InetAddress client) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(ByteBuffer.allocate(4).putInt(seconds).array());
            return mac.doFinal(client.getAddress());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }
}
