package chatmail.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TURN REST credentials, the shared-secret scheme of coturn's {@code use-auth-secret} that the
 * Delta Chat core uses (SPEC TURN-1, OPS-4): the user name is the expiry time in Unix seconds
 * (optionally followed by {@code :} and a name), the password base64(HMAC-SHA1(secret, user
 * name)). METADATA hands them out, our TURN server checks them; any standard TURN server can too.
 */
public final class RestCredentials {
    private RestCredentials() {}

    public static String username(Instant expiry) {
        return Long.toString(expiry.getEpochSecond());
    }

    public static String password(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA1", e);
        }
    }

    /** The expiry in Unix seconds a user name carries, or -1 when it is not a REST user name. */
    public static long expiry(String username) {
        int end = username.indexOf(':');
        String digits = end < 0 ? username : username.substring(0, end);
        if (digits.isEmpty() || digits.length() > 12) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(digits);
    }
}
