package chatmail.account;

import chatmail.files.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login verifiers: an HMAC-SHA256 of address, stored password hash and password under a key
 * kept in {@code data_dir/login_verifier_key} (0600), never in the database. The store keeps one
 * verifier per account and key, so a client reconnecting after a restart is checked with one
 * HMAC instead of SHA512-CRYPT's 5,000 rounds. A matching verifier proves the same password a
 * full check would; a changed stored hash, another key or a wrong password never match and fall
 * through to the full check. The security trade-off is written down in docs/decisions.md
 * ("Accounts").
 */
public final class LoginVerifiers {

    /** The key's file in data_dir: a per-node secret, left out of backups (docs/decisions.md). */
    public static final String KEY_FILE = "login_verifier_key";
    private static final int KEY_BYTES = 32;
    private static final Logger log = LoggerFactory.getLogger(LoginVerifiers.class);

    private final SecretKeySpec key;
    private final long keyId;

    private LoginVerifiers(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.keyId = keyIdOf(secret);
    }

    /**
     * The key of {@code dataDir}, made (0600) on first use. An unreadable or damaged key file is
     * replaced with a warning: the only loss is one full check per account.
     */
    static LoginVerifiers open(Path dataDir) {
        Path file = dataDir.resolve(KEY_FILE);
        try {
            byte[] secret = read(file);
            if (secret == null) {
                secret = new byte[KEY_BYTES];
                new SecureRandom().nextBytes(secret);
                PrivateFiles.createDirectories(dataDir);
                PrivateFiles.writeAtomically(file, Base64.getEncoder().encodeToString(secret) + "\n");
            }
            return new LoginVerifiers(secret);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the login verifier key " + file, e);
        }
    }

    private static byte[] read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            log.warn("cannot read {} ({}); making a new login verifier key", file, e.getClass().getSimpleName());
            return null;
        }
        try {
            byte[] secret = Base64.getDecoder().decode(text);
            if (secret.length == KEY_BYTES) {
                return secret;
            }
        } catch (IllegalArgumentException malformed) {
            // Reported below.
        }
        log.warn("{} does not hold a {}-byte key; making a new login verifier key", file, KEY_BYTES);
        return null;
    }

    /** Names the key in the store, so verifiers made under another key are not even compared. */
    long keyId() {
        return keyId;
    }

    byte[] verifier(String address, String password, String storedHash) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            // Address and hash hold no NUL; the password, which may, comes last.
            mac.update(address.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(storedHash.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** True when {@code stored} is this key's verifier of exactly these credentials. */
    boolean matches(byte[] stored, String address, String password, String storedHash) {
        return stored != null && MessageDigest.isEqual(stored, verifier(address, password, storedHash));
    }

    private static long keyIdOf(byte[] secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("chatmail login verifier key id".getBytes(StandardCharsets.US_ASCII));
            return ByteBuffer.wrap(digest.digest(secret)).getLong();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
