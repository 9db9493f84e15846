package chatmail.mime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed {@code Content-Type} (RFC 2045 5.1): type and subtype as written (for IMAP
 * BODYSTRUCTURE) and lower-cased (for decisions), and the parameters with their names as written,
 * in order. A value without {@code type/subtype} does not parse; RFC 2045 5.2 then says
 * {@code text/plain}, which {@link #orDefault} gives.
 */
public record ContentType(String type, String subtype, Map<String, String> parameters) {

    /** Parameters kept per value; more are ignored (no client decides how much we keep). */
    static final int MAX_PARAMETERS = 64;

    public static final ContentType TEXT_PLAIN = new ContentType("text", "plain", Map.of());
    public static final ContentType MESSAGE_RFC822 = new ContentType("message", "rfc822", Map.of());

    public ContentType {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** The value parsed, or null when it has no {@code type/subtype}. */
    public static ContentType parse(String value) {
        if (value == null) {
            return null;
        }
        int semi = value.indexOf(';');
        String media = (semi < 0 ? value : value.substring(0, semi)).trim();
        int slash = media.indexOf('/');
        if (slash <= 0 || slash == media.length() - 1) {
            return null;
        }
        Map<String, String> parameters = semi < 0 ? Map.of() : parameters(value.substring(semi + 1));
        return new ContentType(media.substring(0, slash).trim(), media.substring(slash + 1).trim(), parameters);
    }

    /** The parsed value, or {@code fallback} when it does not parse or is absent. */
    public static ContentType orDefault(String value, ContentType fallback) {
        ContentType parsed = parse(value);
        return parsed == null ? fallback : parsed;
    }

    /** {@code type/subtype}, lower case. */
    public String mimeType() {
        return type.toLowerCase(Locale.ROOT) + "/" + subtype.toLowerCase(Locale.ROOT);
    }

    public boolean is(String lowerCaseMimeType) {
        return mimeType().equals(lowerCaseMimeType);
    }

    public boolean isMultipart() {
        return type.equalsIgnoreCase("multipart");
    }

    /** A parameter by name, ignoring case, or null. */
    public String parameter(String name) {
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The boundary of a multipart type, or null when it has none (then it is no multipart body). */
    public String boundary() {
        String b = isMultipart() ? parameter("boundary") : null;
        return b == null || b.isEmpty() ? null : b;
    }

    /** {@code ; name=value; name="quoted"} parameters, names as written, in order, the first of each name. */
    public static Map<String, String> parameters(String text) {
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
            if (!name.isEmpty() && parameters.size() < MAX_PARAMETERS) {
                parameters.putIfAbsent(name, value.toString().trim());
            }
        }
        return parameters;
    }
}
