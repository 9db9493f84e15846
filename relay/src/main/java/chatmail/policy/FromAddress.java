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
        List<Mailbox> mailboxes = new ArrayList<>();
        for (String value : fromHeaderValues) {
            AddressList list;
            try {
                list = DefaultAddressParser.DEFAULT.parseAddressList(value, DecodeMonitor.STRICT);
            } catch (ParseException | RuntimeException e) {
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
