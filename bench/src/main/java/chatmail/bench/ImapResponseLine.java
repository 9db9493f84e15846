package chatmail.bench;

import java.util.Locale;

/**
 * The little of an IMAP server response line the load generator looks at: untagged
 * {@code * n EXISTS} and {@code * n EXPUNGE}, a tagged status ({@code a1 OK …}), a continuation request ({@code + …}),
 * and a trailing literal announcement ({@code {n}}) whose bytes follow the line.
 */
record ImapResponseLine(Kind kind, String tag, String status, long number, long literal) {

    enum Kind { EXISTS, EXPUNGE, UNTAGGED, TAGGED, CONTINUATION }

    static ImapResponseLine parse(String line) {
        long literal = trailingLiteral(line);
        if (line.startsWith("+")) {
            return new ImapResponseLine(Kind.CONTINUATION, null, null, -1, literal);
        }
        if (line.startsWith("* ")) {
            int sp = line.indexOf(' ', 2);
            for (Kind counted : new Kind[] {Kind.EXISTS, Kind.EXPUNGE}) {
                String word = " " + counted.name();
                if (sp > 2 && line.regionMatches(true, sp, word, 0, word.length()) && line.length() == sp + word.length()) {
                    try {
                        return new ImapResponseLine(counted, null, null, Long.parseLong(line.substring(2, sp)), literal);
                    } catch (NumberFormatException e) {
                        // Not a number after all: an ordinary untagged line.
                    }
                }
            }
            return new ImapResponseLine(Kind.UNTAGGED, null, null, -1, literal);
        }
        int sp = line.indexOf(' ');
        if (sp <= 0) {
            throw new IllegalArgumentException("not an IMAP response: " + SmtpReplyLine.abbreviate(line));
        }
        int end = line.indexOf(' ', sp + 1);
        String status = (end < 0 ? line.substring(sp + 1) : line.substring(sp + 1, end)).toUpperCase(Locale.ROOT);
        return new ImapResponseLine(Kind.TAGGED, line.substring(0, sp), status, -1, literal);
    }

    boolean ok() {
        return "OK".equals(status);
    }

    private static long trailingLiteral(String line) {
        if (!line.endsWith("}")) {
            return -1;
        }
        int open = line.lastIndexOf('{');
        if (open < 0) {
            return -1;
        }
        String digits = line.substring(open + 1, line.length() - 1);
        if (digits.endsWith("+")) {
            digits = digits.substring(0, digits.length() - 1);
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
