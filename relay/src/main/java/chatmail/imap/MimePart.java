package chatmail.imap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A message or body part located in the raw bytes of a message: where its header and body are,
 * its content type, and its parts (multipart) or the message it carries (message/rfc822).
 * Enough for FETCH body sections by part number and BODYSTRUCTURE; nothing is decoded or
 * copied. Nesting deeper than {@link #MAX_DEPTH} is treated as an opaque leaf.
 */
final class MimePart {
    static final int MAX_DEPTH = 20;

    final byte[] data;
    final int start;
    final int bodyStart;
    final int end;
    /** Lower-cased, for decisions. */
    final String type;
    final String subtype;
    /** As written in the message, for BODYSTRUCTURE (as Dovecot answers). */
    final String writtenType;
    final String writtenSubtype;
    /** Parameter names as written, in order. */
    final Map<String, String> parameters;
    final List<MimePart> children;
    /** The carried message of a message/rfc822 part, else null. */
    final MimePart message;

    private MimePart(byte[] data, int start, int bodyStart, int end, String writtenType, String writtenSubtype,
                     Map<String, String> parameters, List<MimePart> children, MimePart message) {
        this.data = data;
        this.start = start;
        this.bodyStart = bodyStart;
        this.end = end;
        this.writtenType = writtenType;
        this.writtenSubtype = writtenSubtype;
        this.type = writtenType.toLowerCase(Locale.ROOT);
        this.subtype = writtenSubtype.toLowerCase(Locale.ROOT);
        this.parameters = parameters;
        this.children = children;
        this.message = message;
    }

    static MimePart parse(byte[] data) {
        return parse(data, 0, data.length, false, 0);
    }

    /**
     * @param digestChild in multipart/digest the default type is message/rfc822
     */
    private static MimePart parse(byte[] data, int start, int end, boolean digestChild, int depth) {
        int bodyStart = Headers.headerEnd(data, start, end);
        String contentType = Headers.value(data, start, bodyStart, "Content-Type");
        String type = digestChild ? "message" : "text";
        String subtype = digestChild ? "rfc822" : "plain";
        Map<String, String> parameters = new LinkedHashMap<>();
        if (contentType != null) {
            ContentType parsed = ContentType.parse(contentType);
            if (parsed != null) {
                type = parsed.type;
                subtype = parsed.subtype;
                parameters = parsed.parameters;
            }
        }
        if (contentType == null && !digestChild) {
            parameters.put("charset", "us-ascii");
        }
        List<MimePart> children = List.of();
        MimePart message = null;
        String lowerType = type.toLowerCase(Locale.ROOT);
        String lowerSubtype = subtype.toLowerCase(Locale.ROOT);
        String boundary = parameter(parameters, "boundary");
        if (depth < MAX_DEPTH) {
            if (lowerType.equals("multipart") && boundary != null && !boundary.isEmpty()) {
                children = new ArrayList<>();
                boolean digest = lowerSubtype.equals("digest");
                for (int[] range : splitParts(data, bodyStart, end, boundary)) {
                    children.add(parse(data, range[0], range[1], digest, depth + 1));
                }
            } else if (lowerType.equals("message") && lowerSubtype.equals("rfc822")) {
                message = parse(data, bodyStart, end, false, depth + 1);
            }
        }
        return new MimePart(data, start, bodyStart, end, type, subtype, parameters, children, message);
    }

    /** A parameter by name, ignoring case. */
    static String parameter(Map<String, String> parameters, String name) {
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    boolean isMultipart() {
        return type.equals("multipart") && !children.isEmpty();
    }

    /** The value of a header field of this part (unfolded, trimmed), or null. */
    String header(String name) {
        return Headers.value(data, start, bodyStart, name);
    }

    /** Body octets. */
    int bodySize() {
        return end - bodyStart;
    }

    /** Lines of the body, as IMAP counts them for text parts. */
    int bodyLines() {
        int lines = 0;
        for (int i = bodyStart; i < end; i++) {
            if (data[i] == '\n') {
                lines++;
            }
        }
        if (end > bodyStart && data[end - 1] != '\n') {
            lines++;
        }
        return lines;
    }

    /**
     * The part a FETCH part path names (RFC 3501 6.4.5), or null. In a non-multipart message
     * part 1 is the message's body; numbers after a message/rfc822 part count in the message it
     * carries.
     */
    MimePart resolve(List<Integer> path) {
        MimePart container = this;
        MimePart part = this;
        for (int n : path) {
            if (container == null) {
                return null;
            }
            if (container.isMultipart()) {
                if (n > container.children.size()) {
                    return null;
                }
                part = container.children.get(n - 1);
            } else if (n == 1) {
                part = container;
            } else {
                return null;
            }
            container = part.message != null ? part.message : part;
        }
        return part;
    }

    /** Body ranges between the boundary lines of a multipart body. */
    private static List<int[]> splitParts(byte[] data, int from, int to, String boundary) {
        byte[] dash = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<int[]> parts = new ArrayList<>();
        int partStart = -1;
        int lineStart = from;
        while (lineStart < to) {
            int lineEnd = lineStart;
            while (lineEnd < to && data[lineEnd] != '\n') {
                lineEnd++;
            }
            int next = Math.min(to, lineEnd + 1);
            if (startsWith(data, lineStart, lineEnd, dash)) {
                int after = lineStart + dash.length;
                boolean last = after + 1 < lineEnd && data[after] == '-' && data[after + 1] == '-';
                if (partStart >= 0) {
                    // The line end before the boundary line belongs to the boundary.
                    int partEnd = lineStart;
                    if (partEnd > partStart && data[partEnd - 1] == '\n') {
                        partEnd--;
                        if (partEnd > partStart && data[partEnd - 1] == '\r') {
                            partEnd--;
                        }
                    }
                    parts.add(new int[] {partStart, Math.max(partStart, partEnd)});
                }
                if (last) {
                    return parts;
                }
                partStart = next;
            }
            lineStart = next;
        }
        if (partStart >= 0 && partStart < to) {
            parts.add(new int[] {partStart, to});
        }
        return parts;
    }

    private static boolean startsWith(byte[] data, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[from + i] != prefix[i]) {
                return false;
            }
        }
        // Only white space may follow the boundary (or "--" for the last one).
        for (int i = from + prefix.length; i < to; i++) {
            byte b = data[i];
            if (b != ' ' && b != '\t' && b != '\r' && b != '-') {
                return false;
            }
        }
        return true;
    }

    /** A parsed Content-Type value. */
    record ContentType(String type, String subtype, Map<String, String> parameters) {
        static ContentType parse(String value) {
            int semi = value.indexOf(';');
            String media = (semi < 0 ? value : value.substring(0, semi)).trim();
            int slash = media.indexOf('/');
            if (slash <= 0 || slash == media.length() - 1) {
                return null;
            }
            Map<String, String> parameters = semi < 0 ? new LinkedHashMap<>() : Headers.parameters(value.substring(semi + 1));
            return new ContentType(media.substring(0, slash).trim(), media.substring(slash + 1).trim(), parameters);
        }
    }
}
