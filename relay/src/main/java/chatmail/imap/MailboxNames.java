package chatmail.imap;

import java.util.Locale;
import java.util.Optional;

/** Mailbox names as clients write them: INBOX in any case is INBOX; the hierarchy delimiter is ".". */
final class MailboxNames {
    static final String INBOX = "INBOX";
    static final char DELIMITER = '.';
    private static final int MAX_LENGTH = 255;

    private MailboxNames() {}

    /** The stored name for a client's name: {@code inbox} becomes {@code INBOX}. */
    static String normalize(String name) {
        return name.equalsIgnoreCase(INBOX) ? INBOX : name;
    }

    /** Why a name cannot be created, or empty when it can. */
    static Optional<String> invalidForCreate(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            return Optional.of("Invalid mailbox name");
        }
        if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '*' || c == '%')) {
            return Optional.of("Invalid characters in mailbox name");
        }
        if (name.charAt(0) == DELIMITER || name.charAt(name.length() - 1) == DELIMITER
                || name.contains("" + DELIMITER + DELIMITER)) {
            return Optional.of("Invalid hierarchy in mailbox name");
        }
        return Optional.empty();
    }

    /** The RFC 6154 special-use attribute a mailbox gets by its name, if any. */
    static Optional<String> specialUse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sent" -> Optional.of("\\Sent");
            case "drafts" -> Optional.of("\\Drafts");
            case "trash" -> Optional.of("\\Trash");
            case "junk", "spam" -> Optional.of("\\Junk");
            case "archive" -> Optional.of("\\Archive");
            default -> Optional.empty();
        };
    }

    /**
     * LIST pattern matching: {@code *} matches anything, {@code %} anything but the delimiter;
     * INBOX matches case-insensitively.
     */
    static boolean matches(String pattern, String name) {
        if (name.equals(INBOX)) {
            return match(pattern.toUpperCase(Locale.ROOT), INBOX);
        }
        return match(pattern, name);
    }

    /** Dynamic programming over (pattern position, name position): linear in their product. */
    static boolean match(CharSequence p, CharSequence n) {
        int pl = p.length();
        int nl = n.length();
        boolean[] next = new boolean[nl + 1];
        boolean[] current = new boolean[nl + 1];
        next[nl] = true; // empty pattern rest matches only the empty name rest
        for (int i = pl - 1; i >= 0; i--) {
            char c = p.charAt(i);
            java.util.Arrays.fill(current, false);
            if (c == '*' || c == '%') {
                // current[j] = next[j] || (n[j] may be eaten && current[j+1])
                current[nl] = next[nl];
                for (int j = nl - 1; j >= 0; j--) {
                    boolean eat = c == '*' || n.charAt(j) != DELIMITER;
                    current[j] = next[j] || (eat && current[j + 1]);
                }
            } else {
                for (int j = 0; j < nl; j++) {
                    current[j] = n.charAt(j) == c && next[j + 1];
                }
            }
            boolean[] t = next;
            next = current;
            current = t;
        }
        return next[0];
    }
}
