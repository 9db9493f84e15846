package chatmail.imap;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading the raw header section of a message or part: its end, fields, and selections of fields. */
final class Headers {
    private Headers() {}

    /**
     * Where the body starts: after the empty line that ends the header, or {@code end} when
     * there is none.
     */
    static int headerEnd(byte[] data, int start, int end) {
        int lineStart = start;
        while (lineStart < end) {
            if (data[lineStart] == '\n') {
                return lineStart + 1;
            }
            if (data[lineStart] == '\r' && lineStart + 1 < end && data[lineStart + 1] == '\n') {
                return lineStart + 2;
            }
            int i = lineStart;
            while (i < end && data[i] != '\n') {
                i++;
            }
            lineStart = i + 1;
        }
        return end;
    }

    /** The first field of that name, unfolded and trimmed, or null. */
    static String value(byte[] data, int start, int headerEnd, String name) {
        String[] found = {null};
        forEachField(data, start, headerEnd, (fieldName, from, to) -> {
            if (found[0] == null && fieldName.equalsIgnoreCase(name)) {
                int colon = from;
                while (data[colon] != ':') {
                    colon++;
                }
                found[0] = unfold(new String(data, colon + 1, to - colon - 1, StandardCharsets.UTF_8)).trim();
            }
        });
        return found[0];
    }

    /**
     * The fields named (or, with {@code exclude}, not named) in {@code names}, as they are, with
     * the empty line that ends a header section: BODY[HEADER.FIELDS (...)].
     */
    static byte[] select(byte[] data, int start, int headerEnd, List<String> names, boolean exclude) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        forEachField(data, start, headerEnd, (fieldName, from, to) -> {
            boolean named = names.stream().anyMatch(fieldName::equalsIgnoreCase);
            if (named != exclude) {
                out.write(data, from, to - from);
                if (to == from || data[to - 1] != '\n') {
                    out.writeBytes(new byte[] {'\r', '\n'});
                }
            }
        });
        out.writeBytes(new byte[] {'\r', '\n'});
        return out.toByteArray();
    }

    @FunctionalInterface
    interface FieldVisitor {
        /** A field from {@code from} to {@code to} (its continuation lines and line end included). */
        void field(String name, int from, int to);
    }

    static void forEachField(byte[] data, int start, int headerEnd, FieldVisitor visitor) {
        int i = start;
        while (i < headerEnd) {
            int fieldStart = i;
            int lineEnd = nextLine(data, i, headerEnd);
            // Continuation lines start with white space.
            while (lineEnd < headerEnd && (data[lineEnd] == ' ' || data[lineEnd] == '\t')) {
                lineEnd = nextLine(data, lineEnd, headerEnd);
            }
            int colon = fieldStart;
            while (colon < lineEnd && data[colon] != ':' && data[colon] != '\n') {
                colon++;
            }
            if (colon < lineEnd && data[colon] == ':' && colon > fieldStart) {
                String name = new String(data, fieldStart, colon - fieldStart, StandardCharsets.ISO_8859_1).trim();
                visitor.field(name, fieldStart, lineEnd);
            }
            i = lineEnd;
        }
    }

    private static int nextLine(byte[] data, int from, int end) {
        int i = from;
        while (i < end && data[i] != '\n') {
            i++;
        }
        return Math.min(end, i + 1);
    }

    static String unfold(String value) {
        return value.replace("\r\n", "").replace("\n", "");
    }

    /** {@code ; name=value; name="quoted"} parameters, names as written, in order. */
    static Map<String, String> parameters(String text) {
        Map<String, String> parameters = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && (text.charAt(i) == ';' || Character.isWhitespace(text.charAt(i)))) {
                i++;
            }
            int nameStart = i;
            while (i < n && text.charAt(i) != '=' && text.charAt(i) != ';') {
                i++;
            }
            String name = text.substring(nameStart, i).trim();
            if (i >= n || text.charAt(i) != '=') {
                continue;
            }
            i++;
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '"') {
                i++;
                while (i < n && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                i++;
            } else {
                while (i < n && text.charAt(i) != ';') {
                    value.append(text.charAt(i++));
                }
            }
            if (!name.isEmpty() && parameters.size() < 64) {
                parameters.putIfAbsent(name, value.toString().trim());
            }
        }
        return parameters;
    }
}
