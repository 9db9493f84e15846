package chatmail.account;

import chatmail.config.Config;
import java.security.SecureRandom;

/**
 * Random credentials for a new account (SPEC ACC-4): {@code username_max_length} characters of
 * {@code [a-z0-9]} and a password of {@code password_min_length + 3} letters, digits and
 * punctuation. Nothing is stored: the first login creates the account.
 */
public final class CredentialGenerator {

    private static final String USER_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String PASSWORD_CHARS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~";

    private final Config config;
    private final SecureRandom random = new SecureRandom();

    public CredentialGenerator(Config config) {
        this.config = config;
    }

    public record Credentials(String email, String password) {}

    public Credentials next() {
        String user = pick(USER_CHARS, config.usernameMaxLength());
        String password = pick(PASSWORD_CHARS, config.passwordMinLength() + 3);
        return new Credentials(user + "@" + config.addressDomain(), password);
    }

    private String pick(String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
