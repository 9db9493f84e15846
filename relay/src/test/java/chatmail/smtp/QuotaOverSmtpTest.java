package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMTP-4 and IMAP-6 over SMTP: a message may overshoot the quota by itself; once a mailbox is
 * full, port 25 refuses at RCPT and submission bounces; the full mailbox frees itself once its
 * messages are older than a day.
 */
class QuotaOverSmtpTest {

    static final long QUOTA = 40_000;

    @TempDir
    Path dir;
    TestRelay relay;

    @BeforeEach
    void start() throws Exception {
        relay = TestRelay.start(dir, b -> b.maxMailboxSize = QUOTA);
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    @Test
    void fullMailboxRefusesOnPort25AndBouncesOnSubmission() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        String carol = SmtpFixtures.account(relay);

        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            // Bigger than the whole quota, into an empty mailbox: accepted (SMTP-4).
            assertThat(c.sendMail(alice, bob, SmtpFixtures.encrypted(alice, bob, (int) QUOTA + 5000)).line())
                    .isEqualTo("250 2.0.0 Ok");
        }
        assertThat(relay.relay().store().usage(relay.relay().store().findAccount(bob).orElseThrow().id()))
                .isGreaterThanOrEqualTo(QUOTA);

        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            c.expect(c.command("MAIL FROM:<dave@[192.0.2.1]>"), 250);
            assertThat(c.command("RCPT TO:<" + bob + ">").line()).startsWith("552 5.2.2 Mailbox full");
            assertThat(c.command("RCPT TO:<" + carol + ">").line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.data(SmtpFixtures.encrypted("dave@[192.0.2.1]", carol)).line()).isEqualTo("250 2.0.0 Ok");
        }

        try (SmtpClient c = SmtpClient.ready(relay.port("submission"), false)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            assertThat(c.sendMail(alice, List.of(bob, carol), SmtpFixtures.encrypted(alice, bob)).line())
                    .isEqualTo("250 2.0.0 Ok");
        }
        assertThat(StoredMail.inbox(relay, bob)).hasSize(1);
        assertThat(StoredMail.inbox(relay, carol)).hasSize(2);
        List<byte[]> aliceInbox = StoredMail.inbox(relay, alice);
        assertThat(aliceInbox).hasSize(1);
        assertThat(new String(aliceInbox.getFirst(), StandardCharsets.UTF_8))
                .contains("Final-Recipient: rfc822; " + bob)
                .contains("Status: 5.2.2")
                .doesNotContain("Final-Recipient: rfc822; " + carol);
    }

    @Test
    void aFullMailboxAcceptsAgainOnceItsMessagesAreOlderThanADay() throws Exception {
        String bob = SmtpFixtures.account(relay);
        String dave = "dave@[192.0.2.1]";
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            assertThat(c.sendMail(dave, bob, SmtpFixtures.encrypted(dave, bob, (int) QUOTA + 5000)).line())
                    .isEqualTo("250 2.0.0 Ok");
            c.expect(c.command("MAIL FROM:<" + dave + ">"), 250);
            assertThat(c.command("RCPT TO:<" + bob + ">").line()).startsWith("552 5.2.2 Mailbox full");
            c.expect(c.command("RSET"), 250);

            relay.clock().advance(Duration.ofHours(23));
            c.expect(c.command("MAIL FROM:<" + dave + ">"), 250);
            assertThat(c.command("RCPT TO:<" + bob + ">").line()).startsWith("552 5.2.2 Mailbox full");
            c.expect(c.command("RSET"), 250);

            relay.clock().advance(Duration.ofHours(2));
            byte[] fresh = SmtpFixtures.encrypted(dave, bob);
            assertThat(c.sendMail(dave, bob, fresh).line()).isEqualTo("250 2.0.0 Ok");
        }
        // The day-old message that filled the mailbox went; the new one is there.
        List<byte[]> inbox = StoredMail.inbox(relay, bob);
        assertThat(inbox).hasSize(1);
        assertThat(inbox.getFirst().length).isLessThan((int) QUOTA / 2);
    }
}
