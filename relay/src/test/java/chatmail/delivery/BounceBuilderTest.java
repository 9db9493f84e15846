package chatmail.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SMTP-11 report shape, on its own; GroupBounceTest checks one end to end. */
class BounceBuilderTest {

    static final byte[] ORIGINAL = ("From: <alice0001@relay.example>\r\n"
            + "To: <ghost0001@relay.example>\r\n"
            + "Message-ID: <orig.1@localhost>\r\n"
            + "Subject: [...]\r\n"
            + "\r\n"
            + "-----BEGIN PGP MESSAGE-----\r\nsecret body\r\n").getBytes(StandardCharsets.US_ASCII);

    @Test
    void reportHasTheHeadersDeltaChatLooksAtAndOnlyTheOriginalHeaders() {
        BounceBuilder b = new BounceBuilder("relay.example", new MutableClock());
        String dsn = new String(b.build(ORIGINAL, "alice0001@relay.example",
                List.of(new FailedRecipient("ghost0001@relay.example", "550 5.1.1 No such user"),
                        new FailedRecipient("full00001@relay.example", "552 5.2.2 Mailbox full"))), StandardCharsets.UTF_8);

        assertThat(dsn).startsWith("From: Mail Delivery System <MAILER-DAEMON@relay.example>\r\n")
                .contains("\r\nTo: alice0001@relay.example\r\n")
                .contains("\r\nAuto-Submitted: auto-replied\r\n")
                .contains("Content-Type: multipart/report; report-type=delivery-status;")
                .contains("Date: Wed, 26 Nov 2025 08:00:00 +0000")
                .contains("Reporting-MTA: dns; relay.example")
                .contains("Final-Recipient: rfc822; ghost0001@relay.example\r\nOriginal-Recipient: rfc822; ghost0001@relay.example\r\nAction: failed\r\nStatus: 5.1.1\r\n")
                .contains("Final-Recipient: rfc822; full00001@relay.example\r\nOriginal-Recipient: rfc822; full00001@relay.example\r\nAction: failed\r\nStatus: 5.2.2\r\n")
                .contains("Content-Type: text/rfc822-headers\r\n\r\nFrom: <alice0001@relay.example>\r\n")
                .contains("Message-ID: <orig.1@localhost>\r\nSubject: [...]\r\n\r\n--bounce-")
                // The encrypted body is never copied back.
                .doesNotContain("secret body")
                .doesNotContain("\n\n")
                .endsWith("--\r\n");
        assertThat(dsn.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
    }

    @Test
    void ipOnlyRelayReportsItsAddress() {
        BounceBuilder b = new BounceBuilder("[192.0.2.1]", new MutableClock());
        String dsn = new String(b.build(ORIGINAL, "alice0001@[192.0.2.1]",
                List.of(new FailedRecipient("ghost0001@[192.0.2.1]", "550 5.1.1 No such user"))), StandardCharsets.UTF_8);
        assertThat(dsn).contains("From: Mail Delivery System <MAILER-DAEMON@[192.0.2.1]>")
                .contains("Reporting-MTA: x-ip; 192.0.2.1")
                .containsPattern("Message-ID: <[0-9a-f]{24}@192\\.0\\.2\\.1>");
    }

    @Test
    void statusComesFromTheEnhancedCode() {
        assertThat(new FailedRecipient("a@b", "550 5.1.1 No such user").status()).isEqualTo("5.1.1");
        assertThat(new FailedRecipient("a@b", "552 5.2.2 Mailbox full").status()).isEqualTo("5.2.2");
        assertThat(new FailedRecipient("a@b", "550 No such user").status()).isEqualTo("5.0.0");
        assertThat(new FailedRecipient("a@b", "451 try later").status()).isEqualTo("4.0.0");
    }
}
