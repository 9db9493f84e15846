package chatmail.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.apache.james.mime4j.field.address.ParseException;

/**
 * The single mailbox of a {@code From:} header, parsed with mime4j's RFC 5322 address grammar
 * (display names, comments, quoted local parts, encoded words, groups). A header that does not parse
 * strictly, or names zero or several mailboxes, has no single address: lenient guessing could pick
 * a different address than the recipient's client displays.
 */
public record FromAddress(String localPart, String domain) {

    public String address() {
        return localPart + "@" + domain;
    }

    /** The only mailbox named by the From header values (all occurrences together), if exactly one. */
    public static Optional<FromAddress> single(List<String> fromHeaderValues) {
        if (fromHeaderValues.size() == 1) {
            FromAddress plain = plain(fromHeaderValues.getFirst());
            if (plain != null) {
                return Optional.of(plain);
            }
        }
        return parsed(fromHeaderValues);
    }

    /** {@link #single} by mime4j's parser alone. */
    static Optional<FromAddress> parsed(List<String> fromHeaderValues) {
        List<Mailbox> mailboxes = new ArrayList<>();
        for (String value : fromHeaderValues) {
            AddressList list;
            try {
                list = DefaultAddressParser.DEFAULT.parseAddressList(value, DecodeMonitor.STRICT);
            } catch (ParseException | RuntimeException e) {
                return Optional.empty();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Error e) {
                // mime4j's base64 decoder throws java.lang.Error on an encoded word like
                // =?utf-8?B?!!!?= in a display name: no single author, not a dead session.
                return Optional.empty();
            }
            for (Address a : list) {
                if (a instanceof Mailbox m) {
                    mailboxes.add(m);
                } else if (a instanceof Group g) {
                    mailboxes.addAll(g.getMailboxes());
                }
            }
        }
        if (mailboxes.size() != 1) {
            return Optional.empty();
        }
        Mailbox m = mailboxes.getFirst();
        if (m.getLocalPart() == null || m.getLocalPart().isEmpty() || m.getDomain() == null || m.getDomain().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new FromAddress(m.getLocalPart(), m.getDomain()));
    }

    /**
     * The mailbox of a value in the forms nearly every client writes, {@code <local@domain>},
     * {@code local@domain} or {@code "Name" <local@domain>} (dot-atoms of ASCII letters, digits
     * and {@code !#$%&'*+/=?^_`{|}~-}, a quoted name of printable ASCII without quotes and
     * backslashes), which mime4j reads as exactly this mailbox; null for every other value, which
     * mime4j then parses. mime4j's parser allocates some 50 KB per value and throws two
     * exceptions with stack traces for control flow, and every message submitted or received
     * has a From header parsed at least twice (docs/security.md).
     */
    static FromAddress plain(String value) {
        int n = value.length();
        int i = 0;
        if (i < n && value.charAt(i) == '"') {
            i++;
            while (i < n && value.charAt(i) != '"') {
                char c = value.charAt(i);
                // An encoded word in the name is left to the parser, which may refuse the whole
                // value (an undecodable one): the shortcut must never read what the parser would not.
                if (c < 0x20 || c > 0x7e || c == '\\' || (c == '=' && i + 1 < n && value.charAt(i + 1) == '?')) {
                    return null;
                }
                i++;
            }
            if (i == n) {
                return null;
            }
            i++;
            int spaces = i;
            while (i < n && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
                i++;
            }
            if (i == spaces || i == n || value.charAt(i) != '<') {
                return null;
            }
        }
        boolean angle = i < n && value.charAt(i) == '<';
        if (angle) {
            if (value.charAt(n - 1) != '>') {
                return null;
            }
            i++;
            n--;
        } else if (i > 0) {
            return null;
        }
        int at = value.indexOf('@', i);
        if (at < 0 || at >= n || !dotAtom(value, i, at) || !dotAtom(value, at + 1, n)) {
            return null;
        }
        return new FromAddress(value.substring(i, at), value.substring(at + 1, n));
    }

    /** {@code value[from, to)} is atoms of atext separated by single dots. */
    private static boolean dotAtom(String value, int from, int to) {
        if (from >= to || value.charAt(from) == '.' || value.charAt(to - 1) == '.') {
            return false;
        }
        for (int k = from; k < to; k++) {
            char c = value.charAt(k);
            if (c == '.') {
                if (value.charAt(k - 1) == '.') {
                    return false;
                }
            } else if (!atext(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean atext(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+/=?^_`{|}~-".indexOf(c) >= 0;
    }

    /** Case-insensitive comparison with an envelope address such as {@code alice@example.org}. */
    public boolean matches(String envelopeAddress) {
        if (envelopeAddress == null) {
            return false;
        }
        int at = envelopeAddress.lastIndexOf('@');
        if (at <= 0 || at == envelopeAddress.length() - 1) {
            return false;
        }
        String local = unquote(envelopeAddress.substring(0, at));
        String dom = envelopeAddress.substring(at + 1);
        return local.toLowerCase(Locale.ROOT).equals(localPart.toLowerCase(Locale.ROOT))
                && dom.toLowerCase(Locale.ROOT).equals(domain.toLowerCase(Locale.ROOT));
    }

    private static String unquote(String local) {
        if (local.length() >= 2 && local.startsWith("\"") && local.endsWith("\"")) {
            return local.substring(1, local.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return local;
    }
}
