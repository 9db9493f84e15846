package chatmail.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import org.apache.commons.codec.digest.Sha2Crypt;

/**
 * Salted password hashes in the reference relay's format, {@code {SHA512-CRYPT}$6$salt$hash}
 * (SPEC ACC-3), so accounts can move between the reference and this relay.
 */
public final class PasswordHasher {

    static final String SCHEME = "{SHA512-CRYPT}";
    private static final String SALT_CHARS =
            "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final SecureRandom random = new SecureRandom();

    public String hash(String password) {
        StringBuilder salt = new StringBuilder("$6$");
        for (int i = 0; i < 16; i++) {
            salt.append(SALT_CHARS.charAt(random.nextInt(SALT_CHARS.length())));
        }
        return SCHEME + Sha2Crypt.sha512Crypt(password.getBytes(StandardCharsets.UTF_8), salt.toString());
    }

    /** True when the password matches; false for a wrong password or a hash in another format. */
    public boolean verify(String password, String storedHash) {
        String crypt = storedHash.startsWith(SCHEME) ? storedHash.substring(SCHEME.length()) : storedHash;
        if (!crypt.startsWith("$6$")) {
            return false;
        }
        String computed;
        try {
            computed = Sha2Crypt.sha512Crypt(password.getBytes(StandardCharsets.UTF_8), crypt);
        } catch (IllegalArgumentException malformedSalt) {
            return false;
        }
        return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                crypt.getBytes(StandardCharsets.US_ASCII));
    }
}
