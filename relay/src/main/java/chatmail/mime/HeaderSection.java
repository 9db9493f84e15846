package chatmail.mime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The header section of a message or body part (RFC 5322 2.2), as byte ranges, so edits keep
 * every other byte (folding, order, line endings) exactly as received. This is the relay's one
 * header parser: the policy (From, Auto-Submitted, Secure-Join, Content-Type), DKIM (signature
 * selection, the signed-field list), header cleanup, bounces and IMAP (FETCH, SEARCH) all read
 * headers through it.
 *
 * <p>Lines end with CRLF or a bare LF. The section ends at the first empty line or at the end of
 * the data. A field runs from a line that does not start with white space through its
 * continuation lines; a line that is no field (no colon, a name with white space or control
 * bytes, continuation lines at the very top) is kept as a field without a name. One linear pass;
 * {@link #read} and {@link #parse(byte[], int, int, ParseLimits)} refuse sections beyond the
 * SEC-4 caps.
 */
public final class HeaderSection {

    /**
     * One header field with its continuation lines and its line ending: bytes
     * {@code [start, end)} of {@link #data()}. {@code name} is null for a line that is not a field.
     */
    public record Field(String name, int start, int end) {
        public boolean is(String other) {
            return name != null && name.equalsIgnoreCase(other);
        }
    }

    private final byte[] data;
    private final int start;
    private final int end;
    private final int bodyStart;
    private final List<Field> fields;

    private HeaderSection(byte[] data, int start, int end, int bodyStart, List<Field> fields) {
        this.data = data;
        this.start = start;
        this.end = end;
        this.bodyStart = bodyStart;
        this.fields = fields;
    }

    /** The header section of a whole message, without limits (stored messages, tests). */
    public static HeaderSection parse(byte[] message) {
        return parse(message, 0, message.length);
    }

    /** The header section of the entity in {@code data[from, to)}, without limits. */
    public static HeaderSection parse(byte[] data, int from, int to) {
        try {
            return parse(data, from, to, null);
        } catch (ParseLimitException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /**
     * The header section of the entity in {@code data[from, to)}.
     *
     * @param limits the caps to enforce, or null for none
     */
    public static HeaderSection parse(byte[] data, int from, int to, ParseLimits limits) throws ParseLimitException {
        List<Field> fields = new ArrayList<>();
        int pos = from;
        int fieldStart = -1;
        int bodyStart = to;
        while (pos < to) {
            int lineEnd = endOfLine(data, pos, to);
            boolean empty = lineEnd - pos == 1 && data[pos] == '\n'
                    || lineEnd - pos == 2 && data[pos] == '\r' && data[pos + 1] == '\n';
            if (empty) {
                bodyStart = lineEnd;
                break;
            }
            boolean continuation = data[pos] == ' ' || data[pos] == '\t';
            if (!continuation || fieldStart < 0) {
                if (fieldStart >= 0) {
                    fields.add(field(data, fieldStart, pos));
                }
                fieldStart = pos;
                if (limits != null && fields.size() >= limits.maxHeaderFields()) {
                    throw new ParseLimitException(ParseLimitException.Limit.HEADER_FIELDS);
                }
            }
            pos = lineEnd;
            if (limits != null && pos - from > limits.maxHeaderBytes()) {
                throw new ParseLimitException(ParseLimitException.Limit.HEADER_BYTES);
            }
        }
        if (fieldStart >= 0) {
            fields.add(field(data, fieldStart, pos));
        }
        return new HeaderSection(data, from, pos, bodyStart, List.copyOf(fields));
    }

    /**
     * Reads the header section at the start of {@code in} within the limits (null: none): at most
     * {@code maxHeaderBytes} are held. The stream is read past the section (buffered), so the
     * body must be read from a new stream, {@link #length()} bytes in.
     */
    public static HeaderSection read(InputStream in, ParseLimits limits) throws IOException, ParseLimitException {
        return read(new LineInput(in), limits);
    }

    /** Reads a header section from the line input, leaving it at the first body segment. */
    static HeaderSection read(LineInput in, ParseLimits limits) throws IOException, ParseLimitException {
        return read(in, limits, null);
    }

    /**
     * Reads a header section; it also ends (without an empty line) before a line that
     * {@code stop} accepts, which {@code in} then holds for its next {@link LineInput#next()}.
     */
    static HeaderSection read(LineInput in, ParseLimits limits, Predicate<LineInput> stop)
            throws IOException, ParseLimitException {
        Collector c = new Collector(limits);
        while (in.next()) {
            if (stop != null && in.startsLine() && stop.test(in)) {
                in.hold();
                break;
            }
            c.add(in);
            if (in.emptyLine()) {
                break;
            }
        }
        return c.finish();
    }

    /** Accumulates header segments; holds at most the byte limit (and the empty line). */
    private static final class Collector {
        private final ParseLimits limits;
        private byte[] bytes = new byte[512];
        private int length;

        Collector(ParseLimits limits) {
            this.limits = limits;
        }

        void add(LineInput in) throws ParseLimitException {
            int n = in.end() - in.start();
            if (limits != null && (long) length + n > limits.maxHeaderBytes() + 2L) {
                throw new ParseLimitException(ParseLimitException.Limit.HEADER_BYTES);
            }
            if (length + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(length + n, bytes.length * 2));
            }
            System.arraycopy(in.buffer(), in.start(), bytes, length, n);
            length += n;
        }

        HeaderSection finish() throws ParseLimitException {
            byte[] data = Arrays.copyOf(bytes, length);
            bytes = null;
            return parse(data, 0, data.length, limits);
        }
    }

    private static int endOfLine(byte[] m, int from, int to) {
        for (int i = from; i < to; i++) {
            if (m[i] == '\n') {
                return i + 1;
            }
        }
        return to;
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
            if (b <= ' ' || b >= 127) {
                break;
            }
        }
        return new Field(null, start, end);
    }

    /** The bytes the field ranges point into. */
    public byte[] data() {
        return data;
    }

    /** Offset of the section's first byte in {@link #data()}. */
    public int start() {
        return start;
    }

    /** Offset of the empty line that ends the section (or of the end of the data, without one). */
    public int end() {
        return end;
    }

    /** Offset of the body: after the empty line, or the end of the data when there is none. */
    public int bodyStart() {
        return bodyStart;
    }

    /** Bytes from the section's start to the body, the empty line included. */
    public int length() {
        return bodyStart - start;
    }

    public List<Field> fields() {
        return fields;
    }

    /** Unfolded values of every field with that name (case-insensitive), in order. */
    public List<String> values(String name) {
        List<String> values = new ArrayList<>();
        for (Field f : fields) {
            if (f.is(name)) {
                values.add(value(f));
            }
        }
        return values;
    }

    /** The value of the first field with that name, or null. */
    public String first(String name) {
        for (Field f : fields) {
            if (f.is(name)) {
                return value(f);
            }
        }
        return null;
    }

    /** The fields with that name as written ({@code Name: value}, folding kept, without the final line ending). */
    public List<String> rawFields(String name) {
        List<String> raw = new ArrayList<>();
        for (Field f : fields) {
            if (f.is(name)) {
                raw.add(raw(f));
            }
        }
        return raw;
    }

    /** The field as written, without its final line ending, decoded as UTF-8 (RFC 6532). */
    public String raw(Field f) {
        return new String(data, f.start(), lineEndingStart(f) - f.start(), StandardCharsets.UTF_8);
    }

    /** The value after the colon, unfolded (line breaks removed), leading and trailing white space removed. */
    public String value(Field f) {
        int colon = f.start();
        while (colon < f.end() && data[colon] != ':') {
            colon++;
        }
        if (colon == f.end()) {
            return "";
        }
        String raw = new String(data, colon + 1, f.end() - colon - 1, StandardCharsets.UTF_8);
        return raw.replace("\r", "").replace("\n", "").strip();
    }

    /** Offset of the field's final CRLF or LF (its end when it has none, at the end of the data). */
    public int lineEndingStart(Field f) {
        int e = f.end();
        if (e > f.start() && data[e - 1] == '\n') {
            return e >= 2 && data[e - 2] == '\r' && e - 2 >= f.start() ? e - 2 : e - 1;
        }
        return e;
    }

    /** The Content-Type of this entity, or {@code fallback} when there is none that parses (RFC 2045 5.2). */
    public ContentType contentType(ContentType fallback) {
        return ContentType.orDefault(first("Content-Type"), fallback);
    }

    /** Writes the fields that {@code keep} accepts, as they are, then the empty line, if there was one. */
    public void writeTo(OutputStream out, Predicate<Field> keep) throws IOException {
        for (Field f : fields) {
            if (keep.test(f)) {
                out.write(data, f.start(), f.end() - f.start());
            }
        }
        writeSeparator(out);
    }

    /** Writes the empty line that ended the section, if there was one. */
    public void writeSeparator(OutputStream out) throws IOException {
        out.write(data, end, bodyStart - end);
    }

    @Override
    public String toString() {
        return "HeaderSection" + fields.stream().map(f -> f.name() == null ? "?" : f.name().toLowerCase(Locale.ROOT)).toList();
    }
}
