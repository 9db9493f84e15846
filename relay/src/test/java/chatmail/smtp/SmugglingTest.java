package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.TestMessages;
import chatmail.policy.fixtures.TestMessages.Part;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SMTP-12 and the STARTTLS part of SMTP-1: no line ending but CRLF counts, no end of data but
 * CRLF.CRLF, nothing of an aborted transaction is stored, and nothing sent before the TLS
 * handshake is executed after it.
 */
class SmugglingTest extends WithSharedRelay {

    static final String BARE = "521 5.5.2 Bare <LF> or <CR> received";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"NOOP\nNOOP\r\n", "NOOP\rNOOP\r\n", "EHLO client.example\n", "MAIL FROM:<a@b>\r\r\n"})
    void bareLineEndingInACommandClosesTheConnection(String raw) throws Exception {
        try (SmtpClient c = SmtpClient.connect(relay.port("smtp"))) {
            c.readReply();
            c.write(raw);
            assertThat(c.readReply().line()).isEqualTo(BARE);
            assertThat(c.awaitClosed()).isEmpty();
        }
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.write(raw);
            assertThat(c.readReply().line()).isEqualTo(BARE);
            assertThat(c.awaitClosed()).isEmpty();
        }
    }

    static Stream<Arguments> badEndsOfData() {
        return Stream.of(
                Arguments.of("<LF>.<LF>", "\n.\n"),
                Arguments.of("<CR>.<CR>", "\r.\r"),
                Arguments.of("<LF>.<CR><LF>", "\n.\r\n"),
                Arguments.of("<CR><LF>.<LF>", "\r\n.\n"),
                Arguments.of("<CR><LF>.<CR>", "\r\n.\r"),
                Arguments.of("<CR>.<CR><LF>", "\r.\r\n"),
                Arguments.of("bare <LF> inside a line", "\nX-Smuggled: yes\r\n"),
                Arguments.of("bare <CR> inside a line", "\rX-Smuggled: yes\r\n"));
    }

    /**
     * The classic smuggling payload: a first message "ended" with a non-standard terminator, then
     * a whole second transaction, all in one write. Neither message may be stored.
     */
    @ParameterizedTest(name = "{0} on port 25")
    @MethodSource("badEndsOfData")
    void nonStandardEndOfDataNeverEndsDataNorInjectsAMessageOnPort25(String name, String terminator) throws Exception {
        String bob = SmtpFixtures.account(relay);
        String carol = "carol@[192.0.2.1]";
        int before = StoredMail.count(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            c.expect(c.command("MAIL FROM:<" + carol + ">"), 250);
            c.expect(c.command("RCPT TO:<" + bob + ">"), 250);
            c.expect(c.command("DATA"), 354);
            c.write(smugglingPayload(carol, bob, terminator));
            assertThat(c.readReply().line()).isEqualTo(BARE);
            assertThat(c.awaitClosed()).isEmpty();
        }
        assertThat(StoredMail.inbox(relay, bob)).isEmpty();
        assertThat(StoredMail.count(relay)).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0} on 465")
    @MethodSource("badEndsOfData")
    void nonStandardEndOfDataNeverEndsDataNorInjectsAMessageOnSubmission(String name, String terminator) throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        int before = StoredMail.count(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            c.expect(c.command("MAIL FROM:<" + alice + ">"), 250);
            c.expect(c.command("RCPT TO:<" + bob + ">"), 250);
            c.expect(c.command("DATA"), 354);
            c.write(smugglingPayload(alice, bob, terminator));
            assertThat(c.readReply().line()).isEqualTo(BARE);
            assertThat(c.awaitClosed()).isEmpty();
        }
        assertThat(StoredMail.count(relay)).isEqualTo(before);
    }

    private static byte[] smugglingPayload(String from, String to, String terminator) {
        String first = stripFinalCrlf(SmtpFixtures.encrypted(from, to));
        String second = new String(SmtpFixtures.encrypted(from, to), StandardCharsets.UTF_8);
        String payload = first + terminator
                + "MAIL FROM:<" + from + ">\r\n"
                + "RCPT TO:<" + to + ">\r\n"
                + "DATA\r\n"
                + second
                + ".\r\n";
        return payload.getBytes(StandardCharsets.UTF_8);
    }

    private static String stripFinalCrlf(byte[] m) {
        String s = new String(m, StandardCharsets.UTF_8);
        return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s;
    }

    @Test
    void onlyCrlfDotCrlfEndsDataAndDotStuffingIsUndone() throws Exception {
        String bob = SmtpFixtures.account(relay);
        String from = "MAILER-DAEMON@[192.0.2.1]";
        // A bounce (passes incoming) whose text has lines that look like terminators once unstuffed.
        byte[] message = TestMessages.multipart(from, bob, "multipart/report; report-type=delivery-status",
                List.of("Auto-Submitted: auto-replied"),
                List.of(Part.of("text/plain", ".\r\n..\r\n.MAIL FROM:<x@y>\r\nend\r\n")));
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            assertThat(c.sendMail(from, bob, message).line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.command("NOOP").line()).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(StoredMail.inbox(relay, bob)).singleElement()
                .satisfies(stored -> assertThat(new String(stored, StandardCharsets.UTF_8))
                        .isEqualTo(new String(message, StandardCharsets.UTF_8)));
    }

    /**
     * CVE-2011-0411 class: commands written behind STARTTLS in the same packet must be dropped.
     * Had the injected EHLO run, the session after the handshake would accept MAIL without a
     * new EHLO; had the injected MAIL run, a stray reply would come first.
     */
    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"smtp", "submission"})
    void commandsPipelinedBehindStartTlsAreDiscarded(String service) throws Exception {
        String bob = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.connect(relay.port(service))) {
            c.readReply();
            c.ehlo();
            c.write("STARTTLS\r\nEHLO injected.example\r\nMAIL FROM:<carol@other.example>\r\nRCPT TO:<" + bob + ">\r\n");
            assertThat(c.readReply().line()).startsWith("220 ");
            c.upgrade();
            // The first reply in TLS belongs to our command: fresh session, EHLO required.
            assertThat(c.command("MAIL FROM:<carol@other.example>").line()).isEqualTo("503 5.5.1 Send HELO/EHLO first");
            assertThat(c.command("RCPT TO:<" + bob + ">").line()).startsWith("503 ");
            assertThat(c.ehlo().code()).isEqualTo(250);
            assertThat(c.command("NOOP").line()).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(StoredMail.inbox(relay, bob)).isEmpty();
    }
}
