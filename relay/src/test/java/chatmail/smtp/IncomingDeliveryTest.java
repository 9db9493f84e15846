package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.OpenPgpFixtures;
import chatmail.policy.fixtures.TestMessages;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Port 25 from another relay: SMTP-7, SMTP-9 and SMTP-10. Senders are IP literals, whose origin
 * SMTP-8 does not check; the DKIM check itself is tested with a real DNS server in DkimOnPort25Test.
 */
class IncomingDeliveryTest extends WithSharedRelay {

    @Test
    void incomingHeadersAreCleanedAndTheRestKeptByteForByte() throws Exception {
        String bob = SmtpFixtures.account(relay);
        String carol = "carol@[192.0.2.1]";
        byte[] encrypted = TestMessages.encrypted(carol, bob, OpenPgpFixtures.armor(OpenPgpFixtures.pkeskV3SeipdV1()));
        String trace = "Received: from mx.other.example (mx.other.example [192.0.2.25])\r\n"
                + "\tby relay with ESMTPS; Wed, 26 Nov 2025 08:00:00 +0000\r\n"
                + "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=other.example; s=opendkim;\r\n"
                + "\th=from:to; bh=abc=; b=def=\r\n"
                + "Authentication-Results: other.example; dkim=pass header.d=other.example\r\n";
        byte[] sent = concat(trace.getBytes(StandardCharsets.US_ASCII), encrypted);

        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            assertThat(c.sendMail(carol, bob, sent).line()).isEqualTo("250 2.0.0 Ok");
        }
        List<byte[]> inbox = StoredMail.inbox(relay, bob);
        assertThat(inbox).hasSize(1);
        // Subject stays as sent on incoming mail (only outgoing mail gets [...]).
        assertThat(new String(inbox.getFirst(), StandardCharsets.UTF_8)).isEqualTo(new String(encrypted, StandardCharsets.UTF_8));
    }

    @Test
    void bounceWithNullSenderIsAccepted() throws Exception {
        String bob = SmtpFixtures.account(relay);
        byte[] report = TestMessages.mailerDaemonReport("[192.0.2.1]", bob);
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            assertThat(c.command("MAIL FROM:<>").line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.command("RCPT TO:<" + bob + ">").line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.data(report).line()).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(StoredMail.inbox(relay, bob)).containsExactly(report);
    }

    @Test
    void oneMessageForSeveralLocalUsersIsOneDeliveryEach() throws Exception {
        String bob = SmtpFixtures.account(relay);
        String dan = SmtpFixtures.account(relay);
        String carol = "carol@[192.0.2.1]";
        byte[] m = SmtpFixtures.encrypted(carol, bob);
        String bobShouting = bob.substring(0, bob.indexOf('@')).toUpperCase(java.util.Locale.ROOT) + "@CHATMAIL.LOCALHOST";
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            c.expect(c.command("MAIL FROM:<" + carol + ">"), 250);
            assertThat(c.command("RCPT TO:<" + bob + ">").line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.command("RCPT TO:<" + dan + ">").line()).isEqualTo("250 2.0.0 Ok");
            // Addresses are case-insensitive; the same account named twice gets one copy.
            assertThat(c.command("RCPT TO:<" + bobShouting + ">").line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.data(m).line()).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(StoredMail.inbox(relay, bob)).hasSize(1);
        assertThat(StoredMail.inbox(relay, dan)).hasSize(1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
