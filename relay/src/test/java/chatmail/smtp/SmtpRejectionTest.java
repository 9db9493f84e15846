package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.TestMessages;
import chatmail.testing.TestRelay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every rejection of the REPLY table that a client can provoke on SMTP: the bad input, the exact
 * code, enhanced code and words, and that nothing was stored.
 */
class SmtpRejectionTest {

    static final long MAX_MESSAGE_SIZE = 64 * 1024;

    @TempDir
    static Path dir;
    static TestRelay relay;

    private int storedBefore;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.start(dir, b -> b.maxMessageSize = MAX_MESSAGE_SIZE);
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    @BeforeEach
    void countStored() {
        storedBefore = StoredMail.count(relay);
    }

    /** Each test names what it expects to be stored; by default nothing. */
    private int expectedNewMessages;

    @AfterEach
    void nothingElseStored() {
        assertThat(StoredMail.count(relay) - storedBefore).as("messages stored by this test").isEqualTo(expectedNewMessages);
    }

    private static void assertReply(ServerReply reply, String expected) {
        // SPEC REPLY: clients match the code and these words; detail may follow.
        assertThat(reply.line()).as(reply.toString()).startsWith(expected);
        assertThat(reply.lines()).hasSize(1);
    }

    @Test
    void mailBeforeStartTlsOnPort25() throws Exception {
        String bob = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.connect(relay.port("smtp"))) {
            c.readReply();
            c.ehlo();
            assertReply(c.command("MAIL FROM:<carol@other.example>"), "530 5.7.0 Must issue a STARTTLS command first");
            assertThat(c.command("RCPT TO:<" + bob + ">").code()).isEqualTo(503);
            assertThat(c.command("DATA").code()).isEqualTo(503);
        }
    }

    @Test
    void mailBeforeStartTlsOnPort587ComesBeforeTheAuthCheck() throws Exception {
        String alice = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.connect(relay.port("submission"))) {
            c.readReply();
            c.ehlo();
            assertReply(c.command("MAIL FROM:<" + alice + ">"), "530 5.7.0 Must issue a STARTTLS command first");
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"submission", "submissions"})
    void mailWithoutAuthOnSubmission(String service) throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port(service), service.equals("submissions"))) {
            assertReply(c.command("MAIL FROM:<" + alice + ">"), "530 5.7.0 Authentication required");
            assertThat(c.command("RCPT TO:<" + bob + ">").code()).isEqualTo(503);
            assertThat(c.command("DATA").code()).isEqualTo(503);
        }
    }

    @Test
    void authBeforeTlsOnPort587() throws Exception {
        String fresh = SmtpFixtures.newAddress();
        try (SmtpClient c = SmtpClient.connect(relay.port("submission"))) {
            c.readReply();
            c.ehlo();
            assertReply(c.authPlain(fresh, SmtpFixtures.PASSWORD),
                    "538 5.7.11 Encryption required for requested authentication mechanism");
            assertReply(c.command("AUTH LOGIN"), "538 5.7.11 Encryption required for requested authentication mechanism");
        }
        // The password never reached the account logic: no account appeared.
        assertThat(relay.relay().store().findAccount(fresh)).isEmpty();
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"submission", "submissions"})
    void badCredentials(String service) throws Exception {
        String alice = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port(service), service.equals("submissions"))) {
            assertReply(c.authPlain(alice, "wrong-password-1"), "535 5.7.8 Authentication credentials invalid");
            // Too short to create an account (password_min_length 9): fails the same way.
            assertReply(c.authPlain(SmtpFixtures.newAddress(), "short"), "535 5.7.8 Authentication credentials invalid");
            // Another domain cannot be created here.
            assertReply(c.authPlain("someone12@other.example", SmtpFixtures.PASSWORD), "535 5.7.8 Authentication credentials invalid");
            assertReply(c.command("MAIL FROM:<" + alice + ">"), "530 5.7.0 Authentication required");
        }
    }

    @Test
    void authOnPort25() throws Exception {
        String alice = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.connect(relay.port("smtp"))) {
            c.readReply();
            c.ehlo();
            assertReply(c.authPlain(alice, SmtpFixtures.PASSWORD), "503 5.5.1 AUTH not available on this port");
            c.startTls();
            c.ehlo();
            assertReply(c.authPlain(alice, SmtpFixtures.PASSWORD), "503 5.5.1 AUTH not available on this port");
            // Not authenticated: another domain is still refused.
            c.expect(c.command("MAIL FROM:<" + alice + ">"), 250);
            assertReply(c.command("RCPT TO:<someone@other.example>"), "554 5.7.1 Relay access denied");
        }
    }

    @Test
    void envelopeSenderOtherThanLogin() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String mallory = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            assertReply(c.command("MAIL FROM:<" + mallory + ">"), "553 5.7.1 Sender address not owned by user");
            assertReply(c.command("MAIL FROM:<>"), "553 5.7.1 Sender address not owned by user");
            assertReply(c.command("MAIL FROM:<someone@other.example>"), "553 5.7.1 Sender address not owned by user");
            assertThat(c.command("DATA").code()).isEqualTo(503);
        }
    }

    @Test
    void fromHeaderOtherThanEnvelopeSender() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String mallory = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            assertReply(c.sendMail(alice, bob, SmtpFixtures.encrypted(mallory, bob)), "550 5.7.1 From header does not match sender");
            // The session goes on; the case of the From address does not matter (SMTP-2).
            assertReply(c.sendMail(alice, bob, SmtpFixtures.encrypted(alice.toUpperCase(java.util.Locale.ROOT), bob)),
                    "250 2.0.0 Ok");
        }
        expectedNewMessages = 1;
        assertThat(StoredMail.inbox(relay, bob)).hasSize(1);
    }

    /** mime4j throws java.lang.Error on this display name; it once ended the session without a reply. */
    @Test
    void undecodableEncodedWordInFromIsRefusedAndTheSessionGoesOn() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        String message = new String(SmtpFixtures.encrypted(alice, bob), java.nio.charset.StandardCharsets.US_ASCII)
                .replace("From: <" + alice + ">", "From: =?utf-8?B?!!!?= <" + alice + ">");
        assertThat(message).contains("From: =?utf-8?B?!!!?= <");
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            assertReply(c.sendMail(alice, bob, message.getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                    "550 5.7.1 From header does not match sender");
            assertReply(c.sendMail(alice, bob, SmtpFixtures.encrypted(alice, bob)), "250 2.0.0 Ok");
        }
        expectedNewMessages = 1;
        assertThat(StoredMail.inbox(relay, bob)).hasSize(1);
    }

    @Test
    void rateLimitLetsExactlyTheBurstPassThenOneMorePerInterval() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        int burst = relay.config().maxUserSendBurstSize();
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            for (int i = 0; i < burst; i++) {
                assertReply(c.sendMail(alice, bob, SmtpFixtures.encrypted(alice, bob)), "250 2.0.0 Ok");
            }
            ServerReply limited = c.command("MAIL FROM:<" + alice + ">");
            assertReply(limited, "450 4.7.1 Too much mail from ");
            assertThat(limited.line()).contains(alice);
            // GCRA: one message per 60/max_user_send_per_minute seconds comes back.
            relay.clock().advance(Duration.ofMinutes(1).dividedBy(relay.config().maxUserSendPerMinute()));
            assertReply(c.sendMail(alice, bob, SmtpFixtures.encrypted(alice, bob)), "250 2.0.0 Ok");
            assertReply(c.command("MAIL FROM:<" + alice + ">"), "450 4.7.1 Too much mail from ");
        }
        expectedNewMessages = burst + 1;
        assertThat(StoredMail.inbox(relay, bob)).hasSize(burst + 1);
    }

    @Test
    void unencryptedOutgoing() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            assertReply(c.sendMail(alice, bob, TestMessages.plainText(alice, bob, "hi\r\n")),
                    "523 5.7.10 Encryption Needed: Invalid Unencrypted Mail");
        }
    }

    @Test
    void tooLargeAnnouncedWithSize() throws Exception {
        String alice = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            assertThat(c.ehlo().lines()).contains("250-SIZE " + MAX_MESSAGE_SIZE);
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            assertReply(c.command("MAIL FROM:<" + alice + "> SIZE=" + (MAX_MESSAGE_SIZE + 1)),
                    "552 5.3.4 Message exceeds maximum size");
            assertThat(c.command("DATA").code()).isEqualTo(503);
        }
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            assertReply(c.command("MAIL FROM:<carol@other.example> SIZE=999999999999"),
                    "552 5.3.4 Message exceeds maximum size");
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"submissions", "smtp"})
    void tooLargeInActualData(String service) throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        boolean submission = service.equals("submissions");
        String from = submission ? alice : "carol@[192.0.2.1]";
        byte[] big = SmtpFixtures.encrypted(from, bob, (int) MAX_MESSAGE_SIZE + 4096);
        assertThat(big.length).isGreaterThan((int) MAX_MESSAGE_SIZE);
        try (SmtpClient c = SmtpClient.ready(relay.port(service), !service.equals("smtp"))) {
            if (submission) {
                c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            }
            // Announcing a small SIZE does not help.
            c.expect(c.command("MAIL FROM:<" + from + "> SIZE=1000"), 250);
            c.expect(c.command("RCPT TO:<" + bob + ">"), 250);
            assertReply(c.data(big), "552 5.3.4 Message exceeds maximum size");
            // The connection stays usable and the next message is fine.
            assertReply(c.sendMail(from, bob, SmtpFixtures.encrypted(from, bob)), "250 2.0.0 Ok");
        }
        expectedNewMessages = 1;
        assertThat(StoredMail.inbox(relay, bob)).hasSize(1);
    }

    @Test
    void the1001stRecipientIsRefused() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            c.expect(c.command("MAIL FROM:<" + alice + ">"), 250);
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 1001; i++) {
                burst.append("RCPT TO:<").append(bob).append(">\r\n");
            }
            c.write(burst.toString());
            for (int i = 0; i < 1000; i++) {
                assertReply(c.readReply(), "250 2.0.0 Ok");
            }
            assertReply(c.readReply(), "452 4.5.3 Too many recipients");
            assertReply(c.data(SmtpFixtures.encrypted(alice, bob)), "250 2.0.0 Ok");
        }
        // One commit, one copy per account however often it was named.
        expectedNewMessages = 1;
    }

    @Test
    void unknownLocalRecipientOnPort25() throws Exception {
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            c.expect(c.command("MAIL FROM:<carol@other.example>"), 250);
            assertReply(c.command("RCPT TO:<" + SmtpFixtures.newAddress() + ">"), "550 5.1.1 No such user");
            assertThat(c.command("DATA").code()).isEqualTo(503);
        }
    }

    @Test
    void foreignRecipientWithoutAuthOnPort25() throws Exception {
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            c.expect(c.command("MAIL FROM:<carol@other.example>"), 250);
            assertReply(c.command("RCPT TO:<dave@third.example>"), "554 5.7.1 Relay access denied");
            assertReply(c.command("RCPT TO:<dave@[127.0.0.1]>"), "554 5.7.1 Relay access denied");
            assertThat(c.command("DATA").code()).isEqualTo(503);
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"smtp", "submission", "submissions"})
    void vrfyNeverTellsWhetherAnAddressExists(String service) throws Exception {
        String alice = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port(service), service.equals("submissions"))) {
            assertReply(c.command("VRFY " + alice), "252 2.0.0 Cannot VRFY user, but will accept message");
            assertReply(c.command("VRFY " + SmtpFixtures.newAddress()), "252 2.0.0 Cannot VRFY user, but will accept message");
            assertReply(c.command("VRFY postmaster"), "252 2.0.0 Cannot VRFY user, but will accept message");
        }
        try (SmtpClient c = SmtpClient.connect(relay.port("smtp"))) {
            c.readReply();
            assertReply(c.command("VRFY " + alice), "252 2.0.0 Cannot VRFY user, but will accept message");
        }
    }

    @Test
    void overlongCommandLineIsAnsweredAndTheSessionGoesOn() throws Exception {
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            assertReply(c.command("NOOP " + "x".repeat(10_000)), "500 5.5.2 Line too long");
            assertReply(c.command("NOOP"), "250 2.0.0 Ok");
        }
    }

    @Test
    void twentyErrorsEndTheSession() throws Exception {
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            c.write("BOGUS\r\n".repeat(25));
            for (int i = 0; i < 20; i++) {
                assertThat(c.readReply().code()).isEqualTo(500);
            }
            assertThat(c.readReply().line()).startsWith("421 4.7.0");
            assertThat(c.awaitClosed()).isEmpty();
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
