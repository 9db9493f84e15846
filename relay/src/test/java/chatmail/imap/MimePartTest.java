package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.imap.protocol.Section;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Locating parts in raw messages: FETCH BODY[n], BODY[n.MIME], HEADER.FIELDS, nested messages. */
class MimePartTest {
    static final String NESTED = "From: a@b.c\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
            + "preamble\r\n--outer\r\nContent-Type: text/plain\r\n\r\nfirst\r\n"
            + "--outer\r\nContent-Type: message/rfc822\r\n\r\n"
            + "Subject: inner\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
            + "--inner\r\nContent-Type: text/plain\r\n\r\ninner one\r\n--inner\r\nContent-Type: text/html\r\n\r\n<p>two</p>\r\n--inner--\r\n"
            + "\r\n--outer--\r\nepilogue\r\n";

    private static String section(String message, List<Integer> part, Section.Kind kind, List<String> fields) {
        return new String(SectionReader.read(message.getBytes(StandardCharsets.US_ASCII), new Section(part, kind, fields)),
                StandardCharsets.US_ASCII);
    }

    @Test
    void partsOfANestedMessage() {
        assertThat(section(NESTED, List.of(1), Section.Kind.ALL, List.of())).isEqualTo("first");
        assertThat(section(NESTED, List.of(1), Section.Kind.MIME, List.of())).isEqualTo("Content-Type: text/plain\r\n\r\n");
        assertThat(section(NESTED, List.of(2), Section.Kind.HEADER_FIELDS, List.of("subject")))
                .isEqualTo("Subject: inner\r\n\r\n");
        assertThat(section(NESTED, List.of(2, 1), Section.Kind.ALL, List.of())).isEqualTo("inner one");
        assertThat(section(NESTED, List.of(2, 2), Section.Kind.ALL, List.of())).isEqualTo("<p>two</p>");
        assertThat(section(NESTED, List.of(3), Section.Kind.ALL, List.of())).isEmpty();
        assertThat(section(NESTED, List.of(1, 1), Section.Kind.ALL, List.of())).isEqualTo("first");
    }

    @Test
    void singlePartMessageHasPartOne() {
        String m = "Subject: x\r\n\r\nhello\r\n";
        assertThat(section(m, List.of(1), Section.Kind.ALL, List.of())).isEqualTo("hello\r\n");
        assertThat(section(m, List.of(2), Section.Kind.ALL, List.of())).isEmpty();
        assertThat(section(m, List.of(), Section.Kind.TEXT, List.of())).isEqualTo("hello\r\n");
    }

    @Test
    void headerFieldsKeepFoldingAndOrder() {
        String m = "Received: x\r\nFrom: a@b.c\r\nTo: d@e.f,\r\n g@h.i\r\nsubject: s\r\n\r\nbody";
        assertThat(section(m, List.of(), Section.Kind.HEADER_FIELDS, List.of("TO", "FROM")))
                .isEqualTo("From: a@b.c\r\nTo: d@e.f,\r\n g@h.i\r\n\r\n");
        assertThat(section(m, List.of(), Section.Kind.HEADER_FIELDS_NOT, List.of("received", "to")))
                .isEqualTo("From: a@b.c\r\nsubject: s\r\n\r\n");
        // No header/body separator: everything is header.
        assertThat(section("From: a\r\n", List.of(), Section.Kind.TEXT, List.of())).isEmpty();
    }

    @Test
    void bodyStructureOfNestedMessage() {
        MimePart root = MimePart.parse(NESTED.getBytes(StandardCharsets.US_ASCII));
        assertThat(FetchResponses.bodyStructure(root, false)).isEqualTo(
                "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1)"
                        + "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 178 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) "
                        + "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 9 1)(\"text\" \"html\" NIL NIL NIL \"7bit\" 10 1) \"alternative\") 12)"
                        + " \"mixed\")");
    }

    @Test
    void deepNestingStopsAtTheLimit() {
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            m.append("Content-Type: multipart/mixed; boundary=b").append(i).append("\r\n\r\n--b").append(i).append("\r\n");
        }
        MimePart root = MimePart.parse(m.toString().getBytes(StandardCharsets.US_ASCII));
        assertThat(FetchResponses.bodyStructure(root, true)).isNotEmpty();
    }
}
