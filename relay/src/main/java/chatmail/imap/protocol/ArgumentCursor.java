package chatmail.imap.protocol;

import chatmail.store.MessageBody;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the tokens of one complete command (literals included inline, as {@link ImapReader}
 * assembles them) and fails with an {@link ImapParseException} that carries the tag and the
 * command name once they are known. Pure: no I/O, no state beyond the position.
 */
final class ArgumentCursor {
    private static final String[] MONTHS =
            {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

    private final byte[] b;
    private final int externalAt;
    private final MessageBody external;
    private int pos;
    String tag;
    String command;

    ArgumentCursor(byte[] bytes) {
        this(bytes, -1, null);
    }

    /**
     * @param externalAt where in {@code bytes} the content of a spooled literal would begin, or -1
     * @param external that literal's content
     */
    ArgumentCursor(byte[] bytes, int externalAt, MessageBody external) {
        this.b = bytes;
        this.externalAt = external == null ? -1 : externalAt;
        this.external = external;
    }

    ImapParseException error(String message) {
        return new ImapParseException(tag, command, message);
    }

    boolean atEnd() {
        return pos >= b.length;
    }

    int peek() {
        return pos < b.length ? b[pos] & 0xff : -1;
    }

    void expectEnd() throws ImapParseException {
        if (!atEnd()) {
            throw error("Unexpected text after the arguments");
        }
    }

    void sp() throws ImapParseException {
        expect(' ', "Missing space");
    }

    void expect(char c, String message) throws ImapParseException {
        if (peek() != c) {
            throw error(message);
        }
        pos++;
    }

    /** Consumes {@code c} when it is next. */
    boolean accept(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** Consumes a space when one is next (an optional argument follows). */
    boolean acceptSp() {
        return accept(' ');
    }

    /** Consumes {@code word} (case-insensitive) when it is next and ends there. */
    boolean acceptWord(String word) {
        int n = word.length();
        if (pos + n > b.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (Character.toUpperCase((char) (b[pos + i] & 0xff)) != word.charAt(i)) {
                return false;
            }
        }
        if (pos + n < b.length && Wire.isAtomChar(b[pos + n] & 0xff) && b[pos + n] != '[') {
            return false;
        }
        pos += n;
        return true;
    }

    String tag() throws ImapParseException {
        int start = pos;
        while (pos < b.length && Wire.isAstringChar(b[pos] & 0xff) && b[pos] != '+') {
            pos++;
        }
        if (pos == start || pos - start > 64) {
            throw new ImapParseException(null, null, "Invalid tag");
        }
        return ascii(start, pos);
    }

    String atom() throws ImapParseException {
        int start = pos;
        while (pos < b.length && Wire.isAtomChar(b[pos] & 0xff)) {
            pos++;
        }
        if (pos == start) {
            throw error("Expected an atom");
        }
        return ascii(start, pos);
    }

    /** Letters, digits and dots: a FETCH item or STORE item name, which may be followed by {@code [}. */
    String itemName() throws ImapParseException {
        int start = pos;
        while (pos < b.length && (Character.isLetterOrDigit(b[pos]) || b[pos] == '.' || b[pos] == '+'
                || b[pos] == '-')) {
            pos++;
        }
        if (pos == start || pos - start > 64) {
            throw error("Expected a data item name");
        }
        return ascii(start, pos).toUpperCase(Locale.ROOT);
    }

    String astring() throws ImapParseException {
        int c = peek();
        if (c == '"' || c == '{') {
            return string();
        }
        int start = pos;
        while (pos < b.length && Wire.isAstringChar(b[pos] & 0xff)) {
            pos++;
        }
        if (pos == start) {
            throw error("Expected a string");
        }
        return utf8(start, pos);
    }

    String string() throws ImapParseException {
        return switch (peek()) {
            case '"' -> quoted();
            case '{' -> new String(literal(), StandardCharsets.UTF_8);
            default -> throw error("Expected a quoted string or a literal");
        };
    }

    /** A string, or {@code null} for NIL. */
    String nstring() throws ImapParseException {
        if (acceptWord("NIL")) {
            return null;
        }
        return string();
    }

    byte[] stringBytes() throws ImapParseException {
        return switch (peek()) {
            case '"' -> quoted().getBytes(StandardCharsets.UTF_8);
            case '{' -> literal();
            default -> throw error("Expected a quoted string or a literal");
        };
    }

    String quoted() throws ImapParseException {
        expect('"', "Expected a quoted string");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            if (atEnd()) {
                throw error("Unterminated quoted string");
            }
            int c = b[pos++] & 0xff;
            if (c == '"') {
                return out.toString(StandardCharsets.UTF_8);
            }
            if (c == '\\') {
                int next = peek();
                if (next != '"' && next != '\\') {
                    throw error("Invalid escape in quoted string");
                }
                pos++;
                out.write(next);
            } else if (c == '\r' || c == '\n' || c == 0) {
                throw error("Invalid character in quoted string");
            } else {
                out.write(c);
            }
        }
    }

    /** {@code {n}CRLF} or {@code {n+}CRLF} followed by n bytes. */
    byte[] literal() throws ImapParseException {
        long n = literalHeader();
        if (pos == externalAt) {
            throw error("Literal too large here");
        }
        return inline(n);
    }

    /** A literal that may have been spooled (the APPEND message): its content either way. */
    MessageBody messageLiteral() throws ImapParseException {
        long n = literalHeader();
        if (pos == externalAt) {
            if (external.size() != n) {
                throw error("Literal shorter than announced");
            }
            return external;
        }
        return MessageBody.of(inline(n));
    }

    private long literalHeader() throws ImapParseException {
        expect('{', "Expected a literal");
        long n = digits(Long.MAX_VALUE / 10, "Invalid literal size");
        accept('+');
        expect('}', "Invalid literal");
        if (!(accept('\r') && accept('\n'))) {
            throw error("Literal size must end the line");
        }
        return n;
    }

    private byte[] inline(long n) throws ImapParseException {
        if (n > b.length - pos) {
            throw error("Literal shorter than announced");
        }
        byte[] data = java.util.Arrays.copyOfRange(b, pos, pos + (int) n);
        pos += (int) n;
        return data;
    }

    /** A 32-bit unsigned number. */
    long number() throws ImapParseException {
        return digits(SequenceSet.MAX_NUMBER, "Invalid number");
    }

    long nzNumber() throws ImapParseException {
        long n = number();
        if (n == 0) {
            throw error("Number must not be zero");
        }
        return n;
    }

    /** A 63-bit number, as MODSEQ values are. */
    long number64() throws ImapParseException {
        return digits(Long.MAX_VALUE, "Invalid number");
    }

    private long digits(long max, String message) throws ImapParseException {
        int start = pos;
        long n = 0;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            int d = b[pos] - '0';
            if (n > (max - d) / 10) {
                throw error(message);
            }
            n = n * 10 + d;
            pos++;
        }
        if (pos == start) {
            throw error(message);
        }
        return n;
    }

    SequenceSet sequenceSet() throws ImapParseException {
        List<SequenceSet.Range> ranges = new ArrayList<>();
        do {
            if (ranges.size() == SequenceSet.MAX_RANGES) {
                throw error("Sequence set too long");
            }
            long from = seqNumber();
            long to = accept(':') ? seqNumber() : from;
            ranges.add(new SequenceSet.Range(from, to));
        } while (accept(','));
        return new SequenceSet(ranges);
    }

    private long seqNumber() throws ImapParseException {
        if (accept('*')) {
            return SequenceSet.STAR;
        }
        if (peek() < '0' || peek() > '9') {
            throw error("Invalid sequence set");
        }
        long n = digits(SequenceSet.MAX_NUMBER, "Invalid sequence set");
        if (n == 0) {
            throw error("Invalid sequence set: 0 is not a message number");
        }
        return n;
    }

    /** {@code \Flag} or a keyword atom. */
    String flag() throws ImapParseException {
        if (accept('\\')) {
            String name = atom();
            return "\\" + name;
        }
        return atom();
    }

    /** {@code (flag ...)}. */
    List<String> flagList() throws ImapParseException {
        expect('(', "Expected a flag list");
        List<String> flags = new ArrayList<>();
        if (!accept(')')) {
            do {
                flags.add(flag());
                if (flags.size() > 1000) {
                    throw error("Too many flags");
                }
            } while (acceptSp());
            expect(')', "Invalid flag list");
        }
        return flags;
    }

    /** A parenthesized list of atoms, upper-cased. */
    List<String> atomList() throws ImapParseException {
        expect('(', "Expected a list");
        List<String> atoms = new ArrayList<>();
        if (!accept(')')) {
            do {
                atoms.add(atom().toUpperCase(Locale.ROOT));
                if (atoms.size() > 1000) {
                    throw error("List too long");
                }
            } while (acceptSp());
            expect(')', "Invalid list");
        }
        return atoms;
    }

    /** {@code date = date-text / DQUOTE date-text DQUOTE}, date-text = d[d]-Mon-yyyy. */
    LocalDate date() throws ImapParseException {
        boolean quoted = accept('"');
        int day = (int) digits(99, "Invalid date");
        expect('-', "Invalid date");
        int month = month();
        expect('-', "Invalid date");
        int year = (int) digits(9999, "Invalid date");
        if (quoted) {
            expect('"', "Invalid date");
        }
        try {
            return LocalDate.of(year, month, day);
        } catch (DateTimeException e) {
            throw error("Invalid date");
        }
    }

    /** {@code "dd-Mon-yyyy hh:mm:ss +zzzz"} (the day may be space-padded). */
    OffsetDateTime dateTime() throws ImapParseException {
        expect('"', "Invalid date-time");
        accept(' ');
        int day = (int) digits(99, "Invalid date-time");
        expect('-', "Invalid date-time");
        int month = month();
        expect('-', "Invalid date-time");
        int year = (int) digits(9999, "Invalid date-time");
        sp();
        int hour = (int) twoDigits();
        expect(':', "Invalid date-time");
        int minute = (int) twoDigits();
        expect(':', "Invalid date-time");
        int second = (int) twoDigits();
        sp();
        int sign = accept('+') ? 1 : accept('-') ? -1 : 0;
        if (sign == 0) {
            throw error("Invalid date-time zone");
        }
        int zh = (int) twoDigits();
        int zm = (int) twoDigits();
        expect('"', "Invalid date-time");
        try {
            ZoneOffset offset = ZoneOffset.ofHoursMinutes(sign * zh, sign * zm);
            return OffsetDateTime.of(LocalDateTime.of(year, month, day, hour, minute, second), offset);
        } catch (DateTimeException e) {
            throw error("Invalid date-time");
        }
    }

    private long twoDigits() throws ImapParseException {
        if (pos + 2 > b.length || !Character.isDigit(b[pos]) || !Character.isDigit(b[pos + 1])) {
            throw error("Invalid date-time");
        }
        long n = (b[pos] - '0') * 10L + (b[pos + 1] - '0');
        pos += 2;
        return n;
    }

    private int month() throws ImapParseException {
        if (pos + 3 > b.length) {
            throw error("Invalid month");
        }
        String m = ascii(pos, pos + 3).toUpperCase(Locale.ROOT);
        for (int i = 0; i < MONTHS.length; i++) {
            if (MONTHS[i].equals(m)) {
                pos += 3;
                return i + 1;
            }
        }
        throw error("Invalid month");
    }

    private String ascii(int from, int to) {
        return new String(b, from, to - from, StandardCharsets.US_ASCII);
    }

    private String utf8(int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }
}
