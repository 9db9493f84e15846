package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.smtp.SmtpFixtures.Submitted;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SMTP-1, SMTP-5, SMTP-6: a Delta Chat message submitted on 465 (implicit TLS) and on 587
 * (STARTTLS) lands in the recipient's INBOX with exactly the headers the relay must remove gone,
 * and the client's IP address nowhere in it.
 */
class SubmissionDeliveryTest extends WithSharedRelay {

    @ParameterizedTest(name = "raw socket on {0}")
    @ValueSource(strings = {"submissions", "submission"})
    void encryptedMessageLandsInRecipientsInboxWithCleanedHeaders(String service) throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        Submitted m = SmtpFixtures.deltaChatMessage(alice, bob, "Mr.raw." + service + "@localhost");

        try (SmtpClient c = SmtpClient.ready(relay.port(service), service.equals("submissions"))) {
            assertThat(c.authPlain(alice, SmtpFixtures.PASSWORD).line()).startsWith("235 2.7.0");
            assertThat(c.sendMail(alice, bob, m.sent()).line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.command("QUIT").line()).startsWith("221");
        }

        List<byte[]> inbox = StoredMail.inbox(relay, bob);
        assertThat(inbox).hasSize(1);
        // Local copies are stored as cleaned, unsigned: only mail that leaves is DKIM-signed.
        assertThat(new String(inbox.getFirst(), StandardCharsets.UTF_8))
                .isEqualTo(new String(m.expectedStored(), StandardCharsets.UTF_8))
                .doesNotContain("127.0.0.1");
        // Nothing went anywhere else (the sender's INBOX stays empty: no bounce).
        assertThat(StoredMail.inbox(relay, alice)).isEmpty();
    }

    @ParameterizedTest(name = "Angus Mail on {0}")
    @ValueSource(strings = {"submissions", "submission"})
    void angusMailClientDelivers(String service) throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        Submitted m = SmtpFixtures.deltaChatMessage(alice, bob, "Mr.angus." + service + "@localhost");

        boolean implicit = service.equals("submissions");
        String protocol = implicit ? "smtps" : "smtp";
        Properties p = new Properties();
        p.put("mail." + protocol + ".host", "127.0.0.1");
        p.put("mail." + protocol + ".port", String.valueOf(relay.port(service)));
        p.put("mail." + protocol + ".auth", "true");
        p.put("mail." + protocol + ".ssl.socketFactory", TrustAllTls.socketFactory());
        p.put("mail." + protocol + ".ssl.checkserveridentity", "false");
        p.put("mail." + protocol + ".connectiontimeout", "10000");
        p.put("mail." + protocol + ".timeout", "10000");
        if (!implicit) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        Session session = Session.getInstance(p);
        MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(m.sent()));
        try (Transport t = session.getTransport(protocol)) {
            t.connect(alice, SmtpFixtures.PASSWORD);
            // sendMessage, not Transport.send: the latter calls saveChanges(), rewriting headers.
            t.sendMessage(message, new InternetAddress[] {new InternetAddress(bob)});
        }

        List<byte[]> inbox = StoredMail.inbox(relay, bob);
        assertThat(inbox).hasSize(1);
        assertThat(new String(inbox.getFirst(), StandardCharsets.UTF_8))
                .isEqualTo(new String(m.expectedStored(), StandardCharsets.UTF_8))
                .doesNotContain("127.0.0.1");
    }

    @Test
    void ehloAdvertisesTheExtensionsPerPortAndTlsState() throws Exception {
        try (SmtpClient c = SmtpClient.connect(relay.port("submission"))) {
            c.readReply();
            assertThat(c.ehlo().lines()).containsExactly(
                    "250-chatmail.localhost", "250-PIPELINING", "250-SIZE 31457280", "250-STARTTLS",
                    "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250 SMTPUTF8");
            c.startTls();
            assertThat(c.ehlo().lines()).contains("250-AUTH PLAIN LOGIN").doesNotContain("250-STARTTLS");
        }
        try (SmtpClient c = SmtpClient.connectTls(relay.port("submissions"))) {
            c.readReply();
            assertThat(c.ehlo().lines()).contains("250-AUTH PLAIN LOGIN", "250-PIPELINING", "250 SMTPUTF8")
                    .noneMatch(l -> l.contains("STARTTLS"));
        }
        try (SmtpClient c = SmtpClient.connect(relay.port("smtp"))) {
            c.readReply();
            assertThat(c.ehlo().lines()).contains("250-STARTTLS").noneMatch(l -> l.contains("AUTH"));
            c.startTls();
            assertThat(c.ehlo().lines()).noneMatch(l -> l.contains("AUTH") || l.contains("STARTTLS"));
        }
    }

    @Test
    void submissionPortsSpeakOnlyTls13AndPort25AlsoTls12() throws Exception {
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            assertThat(((javax.net.ssl.SSLSocket) c.socket()).getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        assertThat(handshakeWithOnly("TLSv1.2", "submission")).isFalse();
        assertThat(handshakeWithOnly("TLSv1.2", "smtp")).isTrue();
    }

    private static boolean handshakeWithOnly(String protocol, String service) throws Exception {
        try (SmtpClient c = SmtpClient.connect(relay.port(service))) {
            c.readReply();
            c.ehlo();
            c.expect(c.command("STARTTLS"), 220);
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) TrustAllTls.socketFactory()
                    .createSocket(c.socket(), "127.0.0.1", c.socket().getPort(), true);
            tls.setEnabledProtocols(new String[] {protocol});
            try {
                tls.startHandshake();
                return true;
            } catch (javax.net.ssl.SSLException e) {
                return false;
            } finally {
                tls.close();
            }
        }
    }
}
