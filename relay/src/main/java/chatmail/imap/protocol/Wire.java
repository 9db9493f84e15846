package chatmail.imap.protocol;

import java.nio.charset.StandardCharsets;

/** Character classes and string forms of the IMAP grammar (RFC 3501 section 9). */
public final class Wire {
    private Wire() {}

    /** ATOM-CHAR: any CHAR except atom-specials ({@code ( ) { SP CTL % * " \ ]}). */
    public static boolean isAtomChar(int c) {
        return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*'
                && c != '"' && c != '\\' && c != ']';
    }

    /** ASTRING-CHAR: an atom char or {@code ]}. */
    public static boolean isAstringChar(int c) {
        return isAtomChar(c) || c == ']';
    }

    /** True when {@code s} can be sent as an atom (and is not NIL, which would read as nothing). */
    public static boolean isAtom(String s) {
        if (s.isEmpty() || s.equalsIgnoreCase("NIL")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isAtomChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code s} can be sent as a quoted string: no CR, LF or NUL, at most 1000 bytes. */
    public static boolean isQuotable(String s) {
        if (s.length() > 1000) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** {@code "..."} with {@code \} and {@code "} escaped; the caller checked {@link #isQuotable}. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** An astring for a response: atom when possible, else quoted, else a literal. */
    public static String astring(String s) {
        if (isAtom(s)) {
            return s;
        }
        return string(s);
    }

    /** A string for a response: quoted when possible, else a literal. */
    public static String string(String s) {
        if (isQuotable(s)) {
            return quote(s);
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return "{" + bytes.length + "}\r\n" + s;
    }

    /** {@code NIL} for null, else {@link #string}. */
    public static String nstring(String s) {
        return s == null ? "NIL" : string(s);
    }
}
