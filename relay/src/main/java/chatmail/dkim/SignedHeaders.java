package chatmail.dkim;

import chatmail.mime.HeaderSection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which header fields a signature covers (the {@code h=} tag), as the reference relay's OpenDKIM
 * configures it: {@code SignHeaders *,+autocrypt,+content-type} (OpenDKIM's default set, the
 * RFC 6376 5.4.1 list, plus Autocrypt) and {@code OversignHeaders from,reply-to,subject,…,autocrypt}.
 * A signed field is listed once per occurrence; an oversigned one once more, even when absent,
 * so nobody can add such a field (a second From, a second Autocrypt) after signing.
 */
final class SignedHeaders {

    static final List<String> SIGNED = List.of(
            "from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc", "mime-version",
            "content-type", "content-transfer-encoding", "content-id", "content-description",
            "resent-date", "resent-from", "resent-sender", "resent-to", "resent-cc", "resent-message-id",
            "in-reply-to", "references", "list-id", "list-help", "list-unsubscribe", "list-subscribe",
            "list-post", "list-owner", "list-archive", "autocrypt");

    static final List<String> OVERSIGNED = List.of(
            "from", "reply-to", "subject", "date", "to", "cc", "resent-date", "resent-from",
            "resent-sender", "resent-to", "resent-cc", "in-reply-to", "references", "list-id",
            "list-help", "list-unsubscribe", "list-subscribe", "list-post", "list-owner",
            "list-archive", "autocrypt");

    private SignedHeaders() {}

    /** The {@code h=} list for this message, colon-separated, lower case. */
    static String forMessage(HeaderSection headers) {
        Map<String, Integer> present = new LinkedHashMap<>();
        for (HeaderSection.Field field : headers.fields()) {
            if (field.name() != null) {
                present.merge(field.name().toLowerCase(Locale.ROOT), 1, Integer::sum);
            }
        }
        List<String> names = new ArrayList<>();
        for (String name : SIGNED) {
            int count = present.getOrDefault(name, 0) + (OVERSIGNED.contains(name) ? 1 : 0);
            for (int i = 0; i < count; i++) {
                names.add(name);
            }
        }
        return String.join(":", names);
    }
}
