package chatmail.migrate;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * {@code <mailboxes>/<address>/password}: chatmaild writes the account's hash there as
 * {@code {SHA512-CRYPT}$6$<salt>$<hash>} (ASCII, no newline). Only SHA512-CRYPT is accepted,
 * since that is what this relay can verify (ACC-3); a trailing newline an operator's editor
 * added is tolerated.
 */
public final class PasswordFile {
    static final String SCHEME = "{SHA512-CRYPT}";
    private static final int MAX_SIZE = 1024;
    // crypt(3) SHA-512: optional rounds, a salt of up to 16 characters, 86 characters of hash.
    private static final Pattern SHA512_CRYPT =
            Pattern.compile("\\$6\\$(rounds=[0-9]{1,9}\\$)?[./0-9A-Za-z]{0,16}\\$[./0-9A-Za-z]{86}");

    private PasswordFile() {}

    /** The hash in the form this relay stores, with the {@code {SHA512-CRYPT}} prefix. */
    public static String parse(byte[] content) throws ReferenceFormatException {
        if (content.length > MAX_SIZE) {
            throw new ReferenceFormatException("password file too large");
        }
        String text = new String(content, StandardCharsets.US_ASCII).strip();
        String crypt = text.startsWith(SCHEME) ? text.substring(SCHEME.length()) : text;
        if (text.startsWith("{") && !text.startsWith(SCHEME)) {
            throw new ReferenceFormatException("password scheme is not SHA512-CRYPT");
        }
        if (!SHA512_CRYPT.matcher(crypt).matches()) {
            throw new ReferenceFormatException("password file does not hold a SHA512-CRYPT hash");
        }
        return SCHEME + crypt;
    }
}
