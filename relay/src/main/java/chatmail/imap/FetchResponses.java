package chatmail.imap;

import chatmail.imap.protocol.Wire;
import chatmail.mime.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;

/** The text forms of FETCH data items: FLAGS, ENVELOPE and BODYSTRUCTURE (RFC 3501 7.4.2). */
final class FetchResponses {
    private FetchResponses() {}

    /** {@code FLAGS (\Seen $label)}, system flags first. */
    static String flags(Set<String> flags) {
        TreeSet<String> sorted = new TreeSet<>((a, b) -> {
            boolean sa = a.startsWith("\\");
            boolean sb = b.startsWith("\\");
            return sa != sb ? (sa ? -1 : 1) : a.compareTo(b);
        });
        sorted.addAll(flags);
        return "FLAGS (" + String.join(" ", sorted) + ")";
    }

    /** ENVELOPE of a message (the root or one carried in a message/rfc822 part). */
    static String envelope(MimePart message) {
        String from = addresses(message.header("From"));
        String sender = addresses(message.header("Sender"));
        String replyTo = addresses(message.header("Reply-To"));
        return "(" + Wire.nstring(message.header("Date"))
                + " " + Wire.nstring(message.header("Subject"))
                + " " + from
                + " " + (sender.equals("NIL") ? from : sender)
                + " " + (replyTo.equals("NIL") ? from : replyTo)
                + " " + addresses(message.header("To"))
                + " " + addresses(message.header("Cc"))
                + " " + addresses(message.header("Bcc"))
                + " " + Wire.nstring(message.header("In-Reply-To"))
                + " " + Wire.nstring(message.header("Message-ID"))
                + ")";
    }

    private static String addresses(String value) {
        if (value == null || value.isBlank()) {
            return "NIL";
        }
        AddressList list;
        try {
            list = LenientAddressParser.DEFAULT.parseAddressList(value);
        } catch (RuntimeException e) {
            return "NIL";
        }
        List<String> parts = new ArrayList<>();
        for (Address address : list) {
            if (address instanceof Mailbox m) {
                parts.add(address(m));
            } else if (address instanceof Group g) {
                parts.add("(NIL NIL " + Wire.nstring(g.getName()) + " NIL)");
                for (Mailbox m : g.getMailboxes()) {
                    parts.add(address(m));
                }
                parts.add("(NIL NIL NIL NIL)");
            }
        }
        return parts.isEmpty() ? "NIL" : "(" + String.join("", parts) + ")";
    }

    private static String address(Mailbox m) {
        String name = m.getName() == null || m.getName().isEmpty() ? null : m.getName();
        String domain = m.getDomain() == null || m.getDomain().isEmpty() ? null : m.getDomain();
        return "(" + Wire.nstring(name) + " NIL " + Wire.nstring(m.getLocalPart()) + " " + Wire.nstring(domain) + ")";
    }

    /** BODYSTRUCTURE ({@code extensible}) or BODY of a part. */
    static String bodyStructure(MimePart part, boolean extensible) {
        StringBuilder sb = new StringBuilder();
        append(sb, part, extensible);
        return sb.toString();
    }

    private static void append(StringBuilder sb, MimePart part, boolean extensible) {
        sb.append('(');
        if (part.isMultipart()) {
            for (MimePart child : part.children) {
                append(sb, child, extensible);
            }
            sb.append(' ').append(Wire.string(part.writtenSubtype));
            if (extensible) {
                sb.append(' ').append(parameters(part.parameters));
                sb.append(' ').append(disposition(part)).append(" NIL NIL");
            }
            sb.append(')');
            return;
        }
        sb.append(Wire.string(part.writtenType)).append(' ')
                .append(Wire.string(part.writtenSubtype)).append(' ')
                .append(parameters(part.parameters)).append(' ')
                .append(Wire.nstring(part.header("Content-ID"))).append(' ')
                .append(Wire.nstring(part.header("Content-Description"))).append(' ')
                .append(Wire.string(encoding(part))).append(' ')
                .append(part.bodySize());
        if (part.message != null) {
            sb.append(' ').append(envelope(part.message)).append(' ');
            append(sb, part.message, extensible);
            sb.append(' ').append(part.bodyLines());
        } else if (part.type.equals("text")) {
            sb.append(' ').append(part.bodyLines());
        }
        if (extensible) {
            sb.append(' ').append(Wire.nstring(part.header("Content-MD5")))
                    .append(' ').append(disposition(part))
                    .append(' ').append(Wire.nstring(part.header("Content-Language")))
                    .append(' ').append(Wire.nstring(part.header("Content-Location")));
        }
        sb.append(')');
    }

    private static String encoding(MimePart part) {
        String encoding = part.header("Content-Transfer-Encoding");
        return encoding == null || encoding.isBlank() ? "7bit" : encoding.trim();
    }

    private static String parameters(Map<String, String> parameters) {
        if (parameters.isEmpty()) {
            return "NIL";
        }
        List<String> parts = new ArrayList<>();
        parameters.forEach((name, value) -> parts.add(Wire.string(name) + " " + Wire.string(value)));
        return "(" + String.join(" ", parts) + ")";
    }

    private static String disposition(MimePart part) {
        String value = part.header("Content-Disposition");
        if (value == null || value.isBlank()) {
            return "NIL";
        }
        int semi = value.indexOf(';');
        String kind = (semi < 0 ? value : value.substring(0, semi)).trim();
        Map<String, String> parameters = semi < 0 ? Map.of() : ContentType.parameters(value.substring(semi + 1));
        return "(" + Wire.string(kind) + " " + parameters(parameters) + ")";
    }
}
