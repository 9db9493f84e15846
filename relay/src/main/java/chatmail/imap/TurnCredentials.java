package chatmail.imap;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TURN REST credentials (the shared-secret scheme of coturn's {@code use-auth-secret}, SPEC
 * OPS-4): the user name is the expiry time in Unix seconds, the password
 * base64(HMAC-SHA1(secret, user name)), so a standard TURN server checks them without asking us.
 */
final class TurnCredentials {
    private TurnCredentials() {}

    static String username(Instant expiry) {
        return Long.toString(expiry.getEpochSecond());
    }

    static String password(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA1", e);
        }
    }

    /** {@code host:port:<expiry>:<password>} as Delta Chat reads it from METADATA. */
    static String entry(String server, String secret, Instant expiry) {
        String username = username(expiry);
        return server + ":" + username + ":" + password(secret, username);
    }
}
