package chatmail.smtp.protocol;

import chatmail.smtp.protocol.SmtpCommand.Auth;
import chatmail.smtp.protocol.SmtpCommand.Body;
import chatmail.smtp.protocol.SmtpCommand.Ehlo;
import chatmail.smtp.protocol.SmtpCommand.Helo;
import chatmail.smtp.protocol.SmtpCommand.Help;
import chatmail.smtp.protocol.SmtpCommand.Invalid;
import chatmail.smtp.protocol.SmtpCommand.Mail;
import chatmail.smtp.protocol.SmtpCommand.MailParameters;
import chatmail.smtp.protocol.SmtpCommand.Noop;
import chatmail.smtp.protocol.SmtpCommand.Rcpt;
import chatmail.smtp.protocol.SmtpCommand.Rejected;
import chatmail.smtp.protocol.SmtpCommand.Unknown;
import chatmail.smtp.protocol.SmtpCommand.Vrfy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class SmtpCommandParserTest {

    private static SmtpCommand parse(String line) {
        return SmtpCommandParser.parse(line);
    }

    private static SmtpAddress senderOf(String line) {
        return ((Mail) parse(line)).sender().orElseThrow();
    }

    private static SmtpAddress recipientOf(String line) {
        return ((Rcpt) parse(line)).recipient();
    }

    /** Asserts a rejection with exactly this code and enhanced code, and the given class. */
    private static void assertRejected(String line, Class<? extends Rejected> type, int code, String enhanced) {
        SmtpCommand c = parse(line);
        assertThat(c).as(line).isInstanceOf(type);
        SmtpReply reply = ((Rejected) c).reply();
        assertThat(reply.code()).as(line).isEqualTo(code);
        assertThat(reply.enhancedCode()).as(line).isEqualTo(enhanced);
    }

    // --- every command

    @Test
    void ehloAndHeloKeepTheClientName() {
        assertThat(parse("EHLO client.example.org")).isEqualTo(new Ehlo("client.example.org"));
        assertThat(parse("ehlo [127.0.0.1]")).isEqualTo(new Ehlo("[127.0.0.1]"));
        assertThat(parse("HELO client")).isEqualTo(new Helo("client"));
        assertThat(parse("EHLO broken client says more")).isEqualTo(new Ehlo("broken"));
    }

    @Test
    void simpleVerbsAnyCaseAndTrailingSpaces() {
        assertThat(parse("DATA")).isInstanceOf(SmtpCommand.Data.class);
        assertThat(parse("data  ")).isInstanceOf(SmtpCommand.Data.class);
        assertThat(parse("RSET")).isInstanceOf(SmtpCommand.Rset.class);
        assertThat(parse("QuIt")).isInstanceOf(SmtpCommand.Quit.class);
        assertThat(parse("STARTTLS")).isInstanceOf(SmtpCommand.StartTls.class);
        assertThat(parse("NOOP")).isEqualTo(new Noop(""));
        assertThat(parse("NOOP anything at all")).isEqualTo(new Noop("anything at all"));
        assertThat(parse("HELP")).isEqualTo(new Help(""));
        assertThat(parse("HELP MAIL")).isEqualTo(new Help("MAIL"));
        assertThat(parse("VRFY someone")).isEqualTo(new Vrfy("someone"));
    }

    @Test
    void authWithAndWithoutInitialResponse() {
        assertThat(parse("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).isEqualTo(new Auth("PLAIN", Optional.of("AGFsaWNlAHNlY3JldA==")));
        assertThat(parse("auth login")).isEqualTo(new Auth("LOGIN", Optional.empty()));
        assertThat(parse("AUTH PLAIN =")).isEqualTo(new Auth("PLAIN", Optional.of("=")));
    }

    @Test
    void mailWithPlainAddress() {
        assertThat(parse("MAIL FROM:<alice@Example.ORG>"))
                .isEqualTo(new Mail(Optional.of(new SmtpAddress("alice", "example.org")), MailParameters.NONE));
    }

    @Test
    void mailFromKeywordCaseAndSpaceAfterColon() {
        assertThat(senderOf("mail from: <Alice@EXAMPLE.org>")).isEqualTo(new SmtpAddress("Alice", "example.org"));
        assertThat(senderOf("MAIL FROM:   <a@b.c>")).isEqualTo(new SmtpAddress("a", "b.c"));
    }

    @Test
    void nullReversePath() {
        Mail m = (Mail) parse("MAIL FROM:<>");
        assertThat(m.isNullSender()).isTrue();
        assertThat(m.toLine()).isEqualTo("MAIL FROM:<>");
    }

    @Test
    void mailParameters() {
        Mail m = (Mail) parse("MAIL FROM:<a@b.c> SIZE=12345 BODY=8BITMIME SMTPUTF8 AUTH=<>");
        assertThat(m.parameters()).isEqualTo(new MailParameters(OptionalLong.of(12345), Body.EIGHT_BIT_MIME, true));
        assertThat(((Mail) parse("MAIL FROM:<a@b.c> body=7bit")).parameters().body()).isEqualTo(Body.SEVEN_BIT);
        assertThat(((Mail) parse("MAIL FROM:<a@b.c> AUTH=a+40b.c")).parameters()).isEqualTo(MailParameters.NONE);
        assertThat(((Mail) parse("MAIL FROM:<a@b.c> SIZE=99999999999999999999")).parameters().size())
                .hasValue(Long.MAX_VALUE);
    }

    @Test
    void utf8AndQuotedLocalParts() {
        assertThat(senderOf("MAIL FROM:<jösé@bücher.example> SMTPUTF8")).isEqualTo(new SmtpAddress("jösé", "bücher.example"));
        assertThat(recipientOf("RCPT TO:<\"john doe\"@x.org>")).isEqualTo(new SmtpAddress("john doe", "x.org"));
        assertThat(recipientOf("RCPT TO:<\"a\\\"b>c\"@x.org>")).isEqualTo(new SmtpAddress("a\"b>c", "x.org"));
        assertThat(recipientOf("RCPT TO:<\"a\\\"b>c\"@x.org>").path()).isEqualTo("<\"a\\\"b>c\"@x.org>");
        assertThat(recipientOf("RCPT TO:<\"plain\"@x.org>").path()).isEqualTo("<plain@x.org>");
    }

    @Test
    void utf8BytesDecodeStrictly() {
        byte[] ok = "RCPT TO:<ü@x.org>".getBytes(StandardCharsets.UTF_8);
        assertThat(SmtpCommandParser.parse(ok)).isEqualTo(new Rcpt(new SmtpAddress("ü", "x.org")));
        byte[] latin1 = "RCPT TO:<ü@x.org>".getBytes(StandardCharsets.ISO_8859_1);
        SmtpCommand c = SmtpCommandParser.parse(latin1);
        assertThat(c).isInstanceOf(Unknown.class);
        assertThat(((Rejected) c).reply().code()).isEqualTo(500);
        assertThat(((Rejected) c).reply().enhancedCode()).isEqualTo("5.5.2");
    }

    @Test
    void addressLiteralsAndSourceRoutes() {
        assertThat(recipientOf("RCPT TO:<u@[1.2.3.4]>")).isEqualTo(new SmtpAddress("u", "[1.2.3.4]"));
        assertThat(recipientOf("RCPT TO:<u@[IPv6:2001:DB8::1]>").domain()).isEqualTo("[ipv6:2001:db8::1]");
        assertThat(recipientOf("RCPT TO:<u@[1.2.3.4]>").isAddressLiteral()).isTrue();
        assertThat(recipientOf("RCPT TO:<@relay.one,@relay.two:u@final.org>")).isEqualTo(new SmtpAddress("u", "final.org"));
    }

    @Test
    void barePostmasterRecipient() {
        SmtpAddress a = recipientOf("RCPT TO:<Postmaster>");
        assertThat(a.domain()).isEmpty();
        assertThat(a.localPart()).isEqualTo("Postmaster");
        assertRejected("MAIL FROM:<postmaster>", Invalid.class, 501, "5.5.4");
    }

    @Test
    void requestsWriteBackToTheSameCommand() {
        for (String line : new String[] {"MAIL FROM:<\"x y\"@[ipv6:::1]> SIZE=5 BODY=7BIT SMTPUTF8",
                "RCPT TO:<postmaster>", "AUTH PLAIN dGVzdA==", "NOOP hi", "EHLO [::1]", "VRFY x"}) {
            SmtpCommand.Request r = (SmtpCommand.Request) parse(line);
            assertThat(parse(r.toLine())).isEqualTo(r);
        }
    }

    // --- every error reply

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "FOO", "GET / HTTP/1.1", "MAIL:FROM", "ÜBER alles", "DATA123456789012345"})
    void unknownVerbIs500(String line) {
        assertRejected(line, Unknown.class, 500, "5.5.2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"EXPN staff", "TURN", "ETRN example.org", "BDAT 100 LAST", "SAML FROM:<a@b>"})
    void recognisedButUnimplementedIs502(String line) {
        assertRejected(line, Unknown.class, 502, "5.5.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOOP\0", "MAIL FROM:<a\tb@c>", "RCPT TO:<a@b>\u007f", "EHLO x\ry", "DATA\n"})
    void controlCharactersAre500(String line) {
        assertRejected(line, Unknown.class, 500, "5.5.2");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "EHLO", "HELO  ", "VRFY", "DATA now", "RSET x", "QUIT bye", "STARTTLS please",
            "AUTH", "AUTH PLAIN a b", "AUTH PL@IN", "AUTH ABCDEFGHIJKLMNOPQRSTU",
            "MAIL", "MAIL TO:<a@b>", "MAIL FROM:a@b", "MAIL FROM:<a@b", "MAIL FROM:<a@b>SIZE=1",
            "MAIL FROM:<a@@b>", "MAIL FROM:<a.@b>", "MAIL FROM:<.a@b>", "MAIL FROM:<a..b@c>",
            "MAIL FROM:<a b@c>", "MAIL FROM:<a@b..c>", "MAIL FROM:<a@-b.c>", "MAIL FROM:<a@b.c.>",
            "MAIL FROM:<a@>", "MAIL FROM:<@b.c>", "MAIL FROM:<a@[1.2.3]>", "MAIL FROM:<a@[1.2.3.256]>",
            "MAIL FROM:<a@[IPv6:zz::1]>", "MAIL FROM:<a@[Other:xyz]>", "MAIL FROM:<\"unterminated@b>",
            "MAIL FROM:<@relay a@b>", "MAIL FROM:<a@b> SIZE", "MAIL FROM:<a@b> SIZE=abc", "MAIL FROM:<a@b> SIZE=",
            "MAIL FROM:<a@b> SIZE=1 SIZE=2", "MAIL FROM:<a@b> BODY=9BIT", "MAIL FROM:<a@b> SMTPUTF8=yes",
            "MAIL FROM:<a@b> AUTH", "MAIL FROM:<a@b> -X=1",
            "MAIL FROM:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c>",
            "RCPT", "RCPT FROM:<a@b>", "RCPT TO:<>", "RCPT TO:<a@b", "RCPT TO:<nobody>", "RCPT TO:<a@b>x",
    })
    void badArgumentsAre501(String line) {
        assertRejected(line, Invalid.class, 501, "5.5.4");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "MAIL FROM:<a@b.c> RET=HDRS",
            "MAIL FROM:<a@b.c> ENVID=x",
            "MAIL FROM:<a@b.c> BODY=BINARYMIME",
            "RCPT TO:<a@b.c> NOTIFY=NEVER",
            "RCPT TO:<a@b.c> ORCPT=rfc822;a@b.c",
    })
    void unsupportedParameterIs555(String line) {
        assertRejected(line, Invalid.class, 555, "5.5.4");
    }

    @Test
    void nonAsciiLettersNeverStandInForVerbsOrKeywords() {
        // U+017F (long s) upper-cases to S; it must not make "ſTARTTLS" STARTTLS.
        assertRejected("\u017fTARTTLS", Unknown.class, 500, "5.5.2");
        assertRejected("MAIL FROM:<a@b.c> \u017fIZE=1", Invalid.class, 501, "5.5.4");
    }
}
