package chatmail.smtp.protocol;

import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * RFC 5321 / RFC 6531 path syntax: mailbox, dot-string, quoted-string, domain and address
 * literal. Non-ASCII (UTF-8) is accepted where RFC 6531 allows it; whether the client asked
 * for SMTPUTF8 is for the session to check.
 */
final class AddressSyntax {
    static final int MAX_LOCAL_PART_OCTETS = 64;
    static final int MAX_DOMAIN_OCTETS = 255;
    private static final int MAX_LABEL_LENGTH = 63;

    private AddressSyntax() {
    }

    /** Thrown for any syntax error inside a path; carries no detail worth a client's time. */
    static final class BadAddress extends Exception {
        BadAddress(String why) {
            super(why, null, false, false);
        }
    }

    /** Parses what is between the angle brackets, source route allowed and ignored. */
    static SmtpAddress parsePathContent(String s, boolean allowBarePostmaster) throws BadAddress {
        if (s.startsWith("@")) {
            int colon = s.indexOf(':');
            if (colon < 0) {
                throw new BadAddress("source route without colon");
            }
            for (String hop : s.substring(0, colon).split(",", -1)) {
                if (!hop.startsWith("@")) {
                    throw new BadAddress("bad source route");
                }
                parseDomain(hop.substring(1));
            }
            s = s.substring(colon + 1);
        }
        String local;
        int at;
        if (s.startsWith("\"")) {
            StringBuilder sb = new StringBuilder();
            int i = 1;
            while (true) {
                if (i >= s.length()) {
                    throw new BadAddress("unterminated quoted string");
                }
                char c = s.charAt(i);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    if (i + 1 >= s.length()) {
                        throw new BadAddress("dangling backslash");
                    }
                    char q = s.charAt(i + 1);
                    if (q < 32 || q > 126) {
                        throw new BadAddress("bad quoted pair");
                    }
                    sb.append(q);
                    i += 2;
                    continue;
                }
                if (c < 32 || c == 127) {
                    throw new BadAddress("control character in quoted string");
                }
                sb.append(c);
                i++;
            }
            local = sb.toString();
            at = i + 1;
            if (at >= s.length() || s.charAt(at) != '@') {
                throw new BadAddress("quoted local part without domain");
            }
        } else {
            at = s.indexOf('@');
            if (at < 0) {
                if (allowBarePostmaster && s.equalsIgnoreCase("postmaster")) {
                    return new SmtpAddress(s, "");
                }
                throw new BadAddress("no domain");
            }
            local = s.substring(0, at);
            if (!isDotString(local)) {
                throw new BadAddress("bad local part");
            }
        }
        if (local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_PART_OCTETS) {
            throw new BadAddress("local part too long");
        }
        return new SmtpAddress(local, parseDomain(s.substring(at + 1)));
    }

    /** A domain or address literal, returned lower-cased. */
    static String parseDomain(String d) throws BadAddress {
        String lower = d.toLowerCase(Locale.ROOT);
        if (lower.startsWith("[")) {
            if (!lower.endsWith("]") || lower.length() < 3) {
                throw new BadAddress("bad address literal");
            }
            String inner = lower.substring(1, lower.length() - 1);
            if (inner.startsWith("ipv6:")) {
                if (!isIpv6(inner.substring(5))) {
                    throw new BadAddress("bad IPv6 literal");
                }
            } else if (!isIpv4(inner)) {
                throw new BadAddress("bad address literal");
            }
            return lower;
        }
        if (lower.isEmpty() || lower.getBytes(StandardCharsets.UTF_8).length > MAX_DOMAIN_OCTETS) {
            throw new BadAddress("bad domain length");
        }
        for (String label : lower.split("\\.", -1)) {
            if (!isLabel(label)) {
                throw new BadAddress("bad domain label");
            }
        }
        return lower;
    }

    static boolean isDotString(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && !isAtext(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAtext(char c) {
        if (c >= 0x80) {
            return !Character.isISOControl(c) && !Character.isWhitespace(c) && !Character.isSpaceChar(c);
        }
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    private static boolean isLabel(String label) {
        if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH
                || label.startsWith("-") || label.endsWith("-")) {
            return false;
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean ok = c >= 0x80
                    ? !Character.isISOControl(c) && !Character.isWhitespace(c) && !Character.isSpaceChar(c)
                    && c != '\u3002' && c != '\uff0e' && c != '\uff61' // ideographic full stops separate labels
                    : (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv6(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.')) {
                return false;
            }
        }
        try {
            // A literal only: no name lookup happens for this form.
            Inet6Address.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
