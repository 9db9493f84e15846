package chatmail.federation;

import static chatmail.federation.TwoRelays.account;
import static chatmail.federation.TwoRelays.inbox;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.TestMessages;
import chatmail.smtp.SmtpClient;
import chatmail.smtp.SmtpFixtures;
import chatmail.smtp.StoredMail;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperation with a classic mail server (Debian's Postfix with OpenDKIM) on 127.0.0.4:
 * relay 1 delivers to it over SMTP with a verified certificate and a DKIM signature OpenDKIM
 * accepts, and accepts its DKIM-signed encrypted mail on port 25, refusing cleartext with 523.
 */
class ClassicMailServerTest {

    @TempDir
    static Path dir;

    static TwoRelays net;
    static ClassicMailServer classic;
    static final List<String> MAILBOXES = List.of("carol", "dave");

    @BeforeAll
    static void start() throws Exception {
        ClassicMailServer.requireInstalled();
        // Postfix's daemons (user postfix) and its maildir delivery (user nobody) work below it.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        net = new TwoRelays(Files.createDirectories(dir.resolve("relays")));
        classic = ClassicMailServer.prepare(Files.createDirectories(dir.resolve("classic")),
                new InetSocketAddress(TwoRelays.IP_CLASSIC, net.ports.smtp()), net.ca, net.caFile, MAILBOXES);
        net.nsd.zone(ClassicMailServer.DOMAIN, classic.zone(TwoRelays.IP_CLASSIC)).start();
        classic.start(TwoRelays.DOMAIN1, new InetSocketAddress(TwoRelays.IP1, net.ports.smtp()), net.nsd.address(),
                List.of(TwoRelays.DOMAIN1, TwoRelays.DOMAIN2, ClassicMailServer.DOMAIN), MAILBOXES);
    }

    @AfterAll
    static void stop() {
        if (classic != null) {
            classic.close();
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void relayDeliversToPostfixWhichVerifiesItsDkimSignature() throws Exception {
        String alice = account(net.relay1, "alicetopf");
        String carol = "carol@" + ClassicMailServer.DOMAIN;
        var m = SmtpFixtures.deltaChatMessage(alice, carol, "to.classic.1@relay1.test");
        String received;
        try (var watch = classic.watch("carol")) {
            assertThat(net.submit(alice, List.of(carol), m.sent()).line()).startsWith("250");
            received = watch.await(30);
        }
        assertThat(received).contains("-----BEGIN PGP MESSAGE-----", "Subject: [...]", "Message-ID: <to.classic.1@relay1.test>")
                .doesNotContain("X-Mailer", "User-Agent");
        // OpenDKIM found relay 1's key in DNS and the signature intact after Postfix.
        assertThat(received.replaceAll("\\s+", " "))
                .containsPattern("Authentication-Results: mail\\.classic\\.test; dkim=pass \\([^)]*\\) header\\.d=relay1\\.test");
        assertThat(classic.log()).contains("TLS connection established from localhost[127.0.0.1]");
        net.relay1.relay().outbound().runDue();
        assertThat(net.relay1.relay().outbound().queued()).isZero();
    }

    @Test
    void postfixDeliversSignedEncryptedMailToTheRelay() throws Exception {
        String alice = account(net.relay1, "alicefrom");
        String dave = "dave@" + ClassicMailServer.DOMAIN;
        try (var arrival = TwoRelays.arrivals(net.relay1, alice, 1)) {
            assertThat(submitToPostfix(dave, alice, TestMessages.encrypted(dave, alice))).startsWith("250");
            arrival.await(30);
        }
        String stored = inbox(net.relay1, alice).getFirst();
        assertThat(stored).contains("-----BEGIN PGP MESSAGE-----", "From: <" + dave + ">")
                .doesNotContain("DKIM-Signature", "Received:", "Authentication-Results");
        // Postfix checked relay 1's certificate against the test CA and the name relay1.test.
        assertThat(classic.log()).contains("Verified TLS connection established to 127.0.0.2[127.0.0.2]");
    }

    @Test
    void cleartextFromPostfixIsRefusedWith523AndBouncesToItsSender() throws Exception {
        String alice = account(net.relay1, "alicenone");
        String dave = "dave@" + ClassicMailServer.DOMAIN;
        int storedBefore = StoredMail.count(net.relay1);
        String bounce;
        try (var watch = classic.watch("dave")) {
            assertThat(submitToPostfix(dave, alice, TestMessages.plainText(dave, alice, "hello in the clear"))).startsWith("250");
            bounce = watch.await(30);
        }
        assertThat(bounce).contains("Undelivered Mail Returned to Sender", "<" + alice + ">");
        assertThat(bounce.replaceAll("\\s+", " ")).contains("said: 523 5.7.10 Encryption Needed");
        assertThat(StoredMail.count(net.relay1)).isEqualTo(storedBefore);
    }

    /** Hands a message to Postfix as a local sender would (OpenDKIM signs mail from there). */
    private static String submitToPostfix(String from, String to, byte[] message) throws Exception {
        try (SmtpClient c = SmtpClient.connect(classic.smtp(), InetAddress.getByName(ClassicMailServer.SUBMIT_FROM))) {
            c.expect(c.readReply(), 220);
            c.expect(c.ehlo(), 250);
            return c.sendMail(from, to, message).line();
        }
    }
}
