package chatmail.smtp.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * A mailbox from an SMTP path: the local part as meant (quotes and escapes removed) and the
 * domain, lower-cased. The domain may be an address literal such as {@code [1.2.3.4]} or
 * {@code [ipv6:2001:db8::1]}. The one address without a domain is RFC 5321's bare
 * {@code <postmaster>} recipient, with an empty domain.
 */
public record SmtpAddress(String localPart, String domain) {

    public SmtpAddress {
        Objects.requireNonNull(localPart);
        Objects.requireNonNull(domain);
        domain = domain.toLowerCase(Locale.ROOT);
        if (domain.isEmpty() && !localPart.equalsIgnoreCase("postmaster")) {
            throw new IllegalArgumentException("only postmaster may go without a domain");
        }
        for (int i = 0; i < localPart.length(); i++) {
            char c = localPart.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("control character in local part");
            }
        }
    }

    /** {@code local@domain}, quoting the local part when it is not a plain dot-string. */
    public String address() {
        String local = AddressSyntax.isDotString(localPart) ? localPart : quote(localPart);
        return domain.isEmpty() ? local : local + "@" + domain;
    }

    /** The address in angle brackets, as in {@code MAIL FROM:<a@b>}. */
    public String path() {
        return "<" + address() + ">";
    }

    public boolean isAddressLiteral() {
        return domain.startsWith("[");
    }

    /** True when local part and domain are ASCII; otherwise the transaction needs SMTPUTF8. */
    public boolean isAscii() {
        return StandardCharsets.US_ASCII.newEncoder().canEncode(localPart)
                && StandardCharsets.US_ASCII.newEncoder().canEncode(domain);
    }

    @Override
    public String toString() {
        return address();
    }

    private static String quote(String local) {
        StringBuilder sb = new StringBuilder(local.length() + 2).append('"');
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
