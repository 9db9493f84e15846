package chatmail.migrate;

import java.util.Set;
import java.util.TreeSet;

/**
 * A Maildir file's flag letters as IMAP flags, the way Dovecot reads them: S \Seen, R \Answered,
 * F \Flagged, D \Draft, T \Deleted, a–z keywords from {@code dovecot-keywords}. Dovecot ignores
 * P (passed) and any other letter, and so does this.
 */
public final class MaildirFlags {
    private MaildirFlags() {}

    public static Set<String> toImap(String letters, DovecotKeywords keywords) {
        Set<String> flags = new TreeSet<>();
        for (int i = 0; i < letters.length(); i++) {
            char c = letters.charAt(i);
            switch (c) {
                case 'S' -> flags.add("\\Seen");
                case 'R' -> flags.add("\\Answered");
                case 'F' -> flags.add("\\Flagged");
                case 'D' -> flags.add("\\Draft");
                case 'T' -> flags.add("\\Deleted");
                default -> {
                    String keyword = keywords.keyword(c);
                    if (keyword != null) {
                        flags.add(keyword);
                    }
                }
            }
        }
        return flags;
    }
}
