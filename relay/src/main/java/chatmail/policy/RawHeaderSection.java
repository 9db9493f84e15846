package chatmail.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header section of a raw RFC 5322 message as byte ranges, so header edits can keep every other
 * byte (folding, order, line endings, the body) exactly as received. Accepts CRLF and bare LF line
 * endings; the section ends at the first empty line or at the end of the data.
 */
public final class RawHeaderSection {

    /**
     * One header field including its continuation lines and line ending: bytes {@code [start, end)}.
     * {@code name} is null for a line that is not a field (no colon, or continuation lines at the top).
     */
    public record Field(String name, int start, int end) {
        public boolean is(String other) {
            return name != null && name.equalsIgnoreCase(other);
        }
    }

    private final byte[] message;
    private final List<Field> fields;
    private final int headerEnd;

    private RawHeaderSection(byte[] message, List<Field> fields, int headerEnd) {
        this.message = message;
        this.fields = fields;
        this.headerEnd = headerEnd;
    }

    public static RawHeaderSection parse(byte[] message) {
        List<Field> fields = new ArrayList<>();
        int pos = 0;
        int fieldStart = -1;
        while (pos < message.length) {
            int lineEnd = endOfLine(message, pos);
            boolean empty = lineEnd - pos == 1 && message[pos] == '\n'
                    || lineEnd - pos == 2 && message[pos] == '\r' && message[pos + 1] == '\n';
            if (empty) {
                break;
            }
            boolean continuation = message[pos] == ' ' || message[pos] == '\t';
            if (!continuation || fieldStart < 0) {
                if (fieldStart >= 0) {
                    fields.add(field(message, fieldStart, pos));
                }
                fieldStart = pos;
            }
            pos = lineEnd;
        }
        if (fieldStart >= 0) {
            fields.add(field(message, fieldStart, pos));
        }
        return new RawHeaderSection(message, List.copyOf(fields), pos);
    }

    private static int endOfLine(byte[] m, int from) {
        for (int i = from; i < m.length; i++) {
            if (m[i] == '\n') {
                return i + 1;
            }
        }
        return m.length;
    }

    private static Field field(byte[] m, int start, int end) {
        if (m[start] == ' ' || m[start] == '\t') {
            return new Field(null, start, end);
        }
        for (int i = start; i < end; i++) {
            byte b = m[i];
            if (b == ':') {
                int nameEnd = i;
                while (nameEnd > start && (m[nameEnd - 1] == ' ' || m[nameEnd - 1] == '\t')) {
                    nameEnd--;
                }
                return nameEnd == start ? new Field(null, start, end)
                        : new Field(new String(m, start, nameEnd - start, StandardCharsets.US_ASCII), start, end);
            }
            if (b == '\r' || b == '\n' || b <= ' ' || b >= 127) {
                break;
            }
        }
        return new Field(null, start, end);
    }

    public List<Field> fields() {
        return fields;
    }

    /** Offset of the empty line that separates header and body, or the data length if there is none. */
    public int headerEnd() {
        return headerEnd;
    }

    public byte[] message() {
        return message;
    }

    /** Unfolded values of every field with that name (case-insensitive), decoded as UTF-8 (RFC 6532). */
    public List<String> values(String name) {
        List<String> values = new ArrayList<>();
        for (Field f : fields) {
            if (f.is(name)) {
                values.add(value(f));
            }
        }
        return values;
    }

    /** The value after the colon, unfolded (line breaks removed), leading and trailing white space removed. */
    public String value(Field f) {
        int colon = f.start();
        while (message[colon] != ':') {
            colon++;
        }
        String raw = new String(message, colon + 1, f.end() - colon - 1, StandardCharsets.UTF_8);
        return raw.replace("\r", "").replace("\n", "").strip();
    }

    @Override
    public String toString() {
        return "RawHeaderSection" + fields.stream().map(f -> f.name() == null ? "?" : f.name().toLowerCase(Locale.ROOT)).toList();
    }
}
