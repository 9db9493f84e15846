package chatmail.migrate;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code dovecot-keywords} of one Maildir: which keyword each of the letters {@code a}…{@code z}
 * of a file name's flags stands for, one {@code <index> <keyword>} per line (0 = {@code a}).
 * Lines that are not of that form are skipped; so are keywords IMAP could not carry (an atom
 * without {@code \}, white space, parentheses, quotes or wildcards).
 */
public record DovecotKeywords(Map<Integer, String> byIndex) {
    static final int LETTERS = 26;
    private static final int MAX_KEYWORD_LENGTH = 200;

    public DovecotKeywords {
        byIndex = Map.copyOf(byIndex);
    }

    public static DovecotKeywords none() {
        return new DovecotKeywords(Map.of());
    }

    public static DovecotKeywords parse(String text) {
        Map<Integer, String> keywords = new TreeMap<>();
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space <= 0 || space > 2) {
                continue;
            }
            String digits = line.substring(0, space);
            if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                continue;
            }
            int index = Integer.parseInt(digits);
            String keyword = line.substring(space + 1);
            if (index < LETTERS && isAtom(keyword)) {
                keywords.putIfAbsent(index, keyword);
            }
        }
        return new DovecotKeywords(keywords);
    }

    /** The keyword of flag letter {@code letter} ({@code a}…{@code z}), or null when unknown. */
    public String keyword(char letter) {
        return letter >= 'a' && letter <= 'z' ? byIndex.get(letter - 'a') : null;
    }

    static boolean isAtom(String keyword) {
        return !keyword.isEmpty() && keyword.length() <= MAX_KEYWORD_LENGTH
                && keyword.chars().allMatch(c -> c > ' ' && c < 0x7f && "(){%*\"\\]".indexOf(c) < 0);
    }
}
