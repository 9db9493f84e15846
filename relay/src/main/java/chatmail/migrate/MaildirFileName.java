package chatmail.migrate;

import java.util.OptionalLong;

/**
 * The name of a message file in a Maildir: {@code <base>} in {@code new/}, {@code <base>:2,<flags>}
 * in {@code cur/}. Dovecot's base names look like {@code 1700000000.M12345P678.host,S=<size>,W=<size
 * with CRLF>}; the uidlist names files by their base, since the flags part changes.
 *
 * @param baseName  the name up to the first {@code :}
 * @param flags     the letters after {@code :2,} (empty when there are none or no such part)
 * @param size      the {@code S=} value of the base name, when present
 * @param virtualSize the {@code W=} value (size with CRLF line ends), when present
 */
public record MaildirFileName(String baseName, String flags, OptionalLong size, OptionalLong virtualSize) {
    private static final int MAX_LENGTH = 1024;

    public static MaildirFileName parse(String fileName) throws ReferenceFormatException {
        String base = baseOf(fileName);
        if (!isPlausibleBase(base)) {
            throw new ReferenceFormatException("not a maildir file name");
        }
        String flags = "";
        if (base.length() < fileName.length()) {
            String info = fileName.substring(base.length() + 1);
            if (info.startsWith("2,")) {
                flags = info.substring(2);
            }
            // Experimental info ("1,…") and others carry no flags Dovecot would read.
        }
        return new MaildirFileName(base, flags, field(base, "S="), field(base, "W="));
    }

    /** The part of a file name before its first {@code :}. */
    static String baseOf(String fileName) {
        int colon = fileName.indexOf(':');
        return colon < 0 ? fileName : fileName.substring(0, colon);
    }

    /** Not empty, not hidden, no path separator or control character, of sane length. */
    static boolean isPlausibleBase(String base) {
        return !base.isEmpty() && base.length() <= MAX_LENGTH && base.charAt(0) != '.'
                && base.chars().noneMatch(c -> c == '/' || c < 0x20 || c == 0x7f);
    }

    private static OptionalLong field(String base, String key) {
        for (String part : base.split(",")) {
            if (part.startsWith(key)) {
                String digits = part.substring(key.length());
                if (!digits.isEmpty() && digits.length() <= 18 && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return OptionalLong.of(Long.parseLong(digits));
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The name of the file with these flags in {@code cur/}. */
    public String toFileName() {
        return baseName + ":2," + flags;
    }
}
