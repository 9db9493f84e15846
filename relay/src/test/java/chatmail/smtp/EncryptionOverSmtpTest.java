package chatmail.smtp;

import static chatmail.policy.fixtures.OpenPgpFixtures.armor;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.OpenPgpFixtures;
import chatmail.policy.fixtures.TestMessages;
import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ENC-3 end to end (SMTP-5, SMTP-9): every row of the table, outgoing through submission to a
 * local user and incoming through port 25 after STARTTLS. A pass lands in the recipient's INBOX;
 * a 523 stores nothing.
 */
class EncryptionOverSmtpTest {

    static final String PASS = "250 2.0.0 Ok";
    static final String REJECT = "523 5.7.10 Encryption Needed: Invalid Unencrypted Mail";
    /** A real local account may be called mailer-daemon when the length limit allows it. */
    static final String MAILER_DAEMON = "mailer-daemon@" + TestRelay.DOMAIN;
    static final String REMOTE = "carol@[192.0.2.1]";

    @TempDir
    static Path dir;
    static TestRelay relay;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.start(dir, b -> b.usernameMaxLength = 13);
        relay.relay().accounts().login(MAILER_DAEMON, SmtpFixtures.PASSWORD).orElseThrow();
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    /** The message for a sender and recipient. */
    @FunctionalInterface
    interface Message {
        byte[] build(String from, String to);
    }

    /** A row's message and whether its sender is a mailer-daemon (the bounce row). */
    record Row(Message message, boolean fromMailerDaemon) {}

    static Stream<Arguments> enc3() {
        return Stream.of(
                row("PKESK(s) + SEIPD v1", (f, t) -> TestMessages.encrypted(f, t, armor(OpenPgpFixtures.pkeskV3SeipdV1())), PASS, PASS),
                row("PKESK v6 + SEIPD v2", (f, t) -> TestMessages.encrypted(f, t, armor(OpenPgpFixtures.pkeskV6SeipdV2())), PASS, PASS),
                row("SKESK + SEIPD (Secure-Join v3)", (f, t) -> TestMessages.encrypted(f, t, armor(OpenPgpFixtures.skeskSeipd())), PASS, PASS),
                row("armor Version: header", (f, t) -> TestMessages.encrypted(f, t,
                        armor(OpenPgpFixtures.pkeskV3SeipdV1(), true, "BCPG v1.86")), REJECT, PASS),
                row("legacy packet headers, partial body lengths", (f, t) -> TestMessages.encrypted(f, t,
                        armor(OpenPgpFixtures.legacyHeadersPartialLengths())), PASS, PASS),
                row("literal-data packet instead of SEIPD", (f, t) -> TestMessages.encrypted(f, t,
                        armor(OpenPgpFixtures.literalDataInsteadOfSeipd())), REJECT, REJECT),
                row("SEIPD followed by trailing bytes", (f, t) -> TestMessages.encrypted(f, t, armor(
                        OpenPgpFixtures.withTrailingBytes(OpenPgpFixtures.pkeskV3SeipdV1(), new byte[] {0}))), REJECT, REJECT),
                row("truncated stream", (f, t) -> {
                    byte[] full = OpenPgpFixtures.pkeskV3SeipdV1();
                    return TestMessages.encrypted(f, t, armor(OpenPgpFixtures.truncated(full, full.length - 7)));
                }, REJECT, REJECT),
                row("armor block inside text/plain", (f, t) -> TestMessages.armorInTextPlain(f, t,
                        armor(OpenPgpFixtures.pkeskV3SeipdV1())), REJECT, REJECT),
                row("genuine Secure-Join vc-request", (f, t) -> TestMessages.secureJoin(f, t, "vc-request"), PASS, PASS),
                row("genuine Secure-Join vg-request", (f, t) -> TestMessages.secureJoin(f, t, "vg-request"), PASS, PASS),
                row("Secure-Join header with another body", (f, t) -> TestMessages.secureJoin(f, t, "vc-request",
                        "Hi, here is my phone number\r\n"), REJECT, REJECT),
                Arguments.of(Named.of("mailer-daemon report (all three SMTP-9 conditions)", new Row((f, t) ->
                        TestMessages.mailerDaemonReport(f.toUpperCase(java.util.Locale.ROOT) + " (Mail Delivery System)",
                                t, "auto-replied", "multipart/report"), true)), REJECT, PASS),
                row("MDN (multipart/report from a user)", TestMessages::mdn, REJECT, REJECT),
                row("plain text", (f, t) -> TestMessages.plainText(f, t, "hello in the clear\r\n"), REJECT, REJECT));
    }

    private static Arguments row(String name, Message m, String outgoing, String incoming) {
        return Arguments.of(Named.of(name, new Row(m, false)), outgoing, incoming);
    }

    @ParameterizedTest(name = "outgoing: {0} -> {1}")
    @MethodSource("enc3")
    void outgoingToALocalUser(Row row, String outgoing, String incoming) throws Exception {
        // The bounce row's From is mailer-daemon, so a local mailer-daemon account sends it.
        String sender = row.fromMailerDaemon() ? MAILER_DAEMON : SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(sender, SmtpFixtures.PASSWORD), 235);
            ServerReply r = c.sendMail(sender, bob, row.message().build(sender, bob));
            assertThat(r.line()).startsWith(outgoing);
        }
        assertThat(StoredMail.inbox(relay, bob)).hasSize(outgoing.equals(PASS) ? 1 : 0);
        assertThat(StoredMail.inbox(relay, sender)).as("no bounce to the sender").isEmpty();
    }

    @ParameterizedTest(name = "incoming: {0} -> {2}")
    @MethodSource("enc3")
    void incomingOnPort25(Row row, String outgoing, String incoming) throws Exception {
        String from = row.fromMailerDaemon() ? "mailer-daemon@[192.0.2.1]" : REMOTE;
        String bob = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            ServerReply r = c.sendMail(from, bob, row.message().build(from, bob));
            assertThat(r.line()).startsWith(incoming);
        }
        assertThat(StoredMail.inbox(relay, bob)).hasSize(incoming.equals(PASS) ? 1 : 0);
    }
}
