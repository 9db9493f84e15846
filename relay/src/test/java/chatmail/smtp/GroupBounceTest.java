package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * SMTP-4 and SMTP-11: on submission an unknown local recipient must not block a group message;
 * the others get it, and the sender gets an RFC 3464 report naming the bad address.
 */
class GroupBounceTest extends WithSharedRelay {

    @Test
    void unknownMemberGetsBouncedOthersGetTheMessage() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        String carol = SmtpFixtures.account(relay);
        String ghost = SmtpFixtures.newAddress();
        String messageId = "Mr.group.4711@localhost";
        byte[] message = SmtpFixtures.deltaChatMessage(alice, bob, messageId).sent();

        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            c.expect(c.command("MAIL FROM:<" + alice + ">"), 250);
            assertThat(c.command("RCPT TO:<" + bob + ">").line()).isEqualTo("250 2.0.0 Ok");
            // Accepted at RCPT on submission: the failure comes back as a bounce.
            assertThat(c.command("RCPT TO:<" + ghost + ">").line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.command("RCPT TO:<" + carol + ">").line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.data(message).line()).isEqualTo("250 2.0.0 Ok");
        }

        assertThat(StoredMail.inbox(relay, bob)).hasSize(1);
        assertThat(StoredMail.inbox(relay, carol)).hasSize(1);
        assertThat(relay.relay().store().findAccount(ghost)).isEmpty();
        List<byte[]> aliceInbox = StoredMail.inbox(relay, alice);
        assertThat(aliceInbox).hasSize(1);

        MimeMessage dsn = parse(aliceInbox.getFirst());
        assertThat(dsn.getContentType()).startsWith("multipart/report").contains("report-type=delivery-status");
        assertThat(dsn.getHeader("From", null)).contains("MAILER-DAEMON@" + TestRelay.DOMAIN);
        assertThat(dsn.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        assertThat(dsn.getHeader("To", null)).contains(alice);
        assertThat(dsn.getMessageID()).isNotBlank().isNotEqualTo("<" + messageId + ">");

        MimeMultipart parts = (MimeMultipart) dsn.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(text(parts.getBodyPart(0))).contains(ghost).doesNotContain(bob).doesNotContain(carol);

        BodyPart status = parts.getBodyPart(1);
        assertThat(status.getContentType()).startsWith("message/delivery-status");
        String report = text(status);
        assertThat(report).contains("Final-Recipient: rfc822; " + ghost)
                .contains("Action: failed")
                .contains("Status: 5.1.1")
                .doesNotContain(bob)
                .doesNotContain(carol);

        BodyPart headers = parts.getBodyPart(2);
        assertThat(headers.getContentType()).startsWith("text/rfc822-headers");
        String original = text(headers);
        assertThat(original).contains("Message-ID: <" + messageId + ">").contains("From: <" + alice + ">");
        // The report is built from what was delivered: cleaned headers, no client IP.
        assertThat(new String(aliceInbox.getFirst(), StandardCharsets.UTF_8)).doesNotContain("127.0.0.1");
    }

    @Test
    void allRecipientsUnknownStillAnswers250AndBouncesEveryOne() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String ghost1 = SmtpFixtures.newAddress();
        String ghost2 = SmtpFixtures.newAddress();
        try (SmtpClient c = SmtpClient.ready(relay.port("submission"), false)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            assertThat(c.sendMail(alice, List.of(ghost1, ghost2), SmtpFixtures.encrypted(alice, ghost1)).line())
                    .isEqualTo("250 2.0.0 Ok");
        }
        List<byte[]> inbox = StoredMail.inbox(relay, alice);
        assertThat(inbox).hasSize(1);
        String dsn = new String(inbox.getFirst(), StandardCharsets.UTF_8);
        assertThat(dsn).contains("Final-Recipient: rfc822; " + ghost1).contains("Final-Recipient: rfc822; " + ghost2);
    }

    static MimeMessage parse(byte[] raw) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
    }

    static String text(BodyPart part) throws Exception {
        Object content = part.getContent();
        if (content instanceof String s) {
            return s;
        }
        try (InputStream in = part.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
