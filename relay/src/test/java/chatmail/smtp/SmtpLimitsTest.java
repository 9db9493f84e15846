package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.metrics.ConnectionRefusal;
import chatmail.metrics.ConnectionService;
import chatmail.testing.MetricValues;
import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configurable timeouts and the connection cap. */
class SmtpLimitsTest {

    static final Duration SHORT = Duration.ofMillis(300);

    private static TestRelay withShortTimeouts(Path dir) throws Exception {
        return TestRelay.start(dir, b -> {
            Config.Timeouts d = Config.Timeouts.defaults();
            b.timeouts = new Config.Timeouts(SHORT, SHORT, d.imapBeforeLogin(), d.imapIdle(), d.imapIdleKeepAlive(),
                    d.expiryInterval());
        });
    }

    @Test
    void idleClientGets421AndIsDisconnected(@TempDir Path dir) throws Exception {
        try (TestRelay relay = withShortTimeouts(dir)) {
            try (SmtpClient c = SmtpClient.connect(relay.port("smtp"))) {
                c.readReply();
                // Wait for the server to give up (the client's own deadline is far longer).
                assertThat(c.readReply().line()).startsWith("421 4.4.2");
                assertThat(c.awaitClosed()).isEmpty();
            }
            try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
                assertThat(c.readReply().line()).startsWith("421 4.4.2");
                assertThat(c.awaitClosed()).isEmpty();
            }
        }
    }

    @Test
    void clientStallingInsideDataGets421AndNothingIsStored(@TempDir Path dir) throws Exception {
        try (TestRelay relay = withShortTimeouts(dir)) {
            String bob = SmtpFixtures.account(relay);
            try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
                c.expect(c.command("MAIL FROM:<carol@other.example>"), 250);
                c.expect(c.command("RCPT TO:<" + bob + ">"), 250);
                c.expect(c.command("DATA"), 354);
                c.write("From: <carol@other.example>\r\nSubject: half a message\r\n");
                assertThat(c.readReply().line()).startsWith("421 4.4.2");
                assertThat(c.awaitClosed()).isEmpty();
            }
            assertThat(StoredMail.count(relay)).isZero();
        }
    }

    @Test
    void silentImplicitTlsClientIsDroppedToo(@TempDir Path dir) throws Exception {
        try (TestRelay relay = withShortTimeouts(dir)) {
            // Connects to 465 but never starts the handshake.
            try (SmtpClient c = SmtpClient.connect(relay.port("submissions"))) {
                // At most a TLS alert record comes before the close; never a plaintext reply.
                assertThat(c.awaitClosed()).doesNotContain("220").doesNotContain("421");
            }
        }
    }

    static final String FROM_YOUR_ADDRESS = "421 4.7.0 Too many connections from your address, try again later";

    @Test
    void eachSmtpServiceHasItsCapAFifthPerClientAndMakesRoomByEvictingTheOldestBeforeMail(@TempDir Path dir)
            throws Exception {
        // 5 per service (port 25; submission), a fifth of it (one) per client address.
        try (TestRelay relay = TestRelay.start(dir, b -> b.maxSmtpConnections = 5)) {
            int port = relay.port("smtp");
            List<SmtpClient> held = new ArrayList<>();
            try {
                for (int i = 1; i <= 5; i++) {
                    SmtpClient c = SmtpClient.connectFrom("127.0.0." + i, port);
                    held.add(c);
                    assertThat(c.readReply().line()).startsWith("220 ");
                }
                try (SmtpClient second = SmtpClient.connectFrom("127.0.0.2", port)) {
                    assertThat(second.readReply().line()).isEqualTo(FROM_YOUR_ADDRESS);
                    assertThat(second.awaitClosed()).isEmpty();
                }
                // Submission is another service: its own cap and shares.
                try (SmtpClient submission = SmtpClient.connectFrom("127.0.0.2", relay.port("submission"))) {
                    assertThat(submission.readReply().line()).startsWith("220 ");
                }
                // Port 25's "login" is MAIL: a server that got that far is never evicted.
                SmtpClient sending = held.get(1);
                sending.expect(sending.ehlo(), 250);
                sending.startTls();
                sending.expect(sending.ehlo(), 250);
                sending.expect(sending.command("MAIL FROM:<carol@other.example>"), 250);
                // Port 25 is full: each newcomer closes the oldest connection that has not sent MAIL.
                for (int i = 6; i <= 9; i++) {
                    SmtpClient c = SmtpClient.connectFrom("127.0.0." + i, port);
                    held.add(c);
                    assertThat(c.readReply().line()).startsWith("220 ");
                }
                for (int i : new int[] {0, 2, 3, 4}) {
                    assertThat(held.get(i).awaitClosed()).as("connection %d", i).isEmpty();
                }
                sending.expect(sending.command("RSET"), 250);
                assertThat(MetricValues.refused(relay, ConnectionService.MX, ConnectionRefusal.EVICTED)).isEqualTo(4);
                assertThat(MetricValues.refused(relay, ConnectionService.MX, ConnectionRefusal.CLIENT_CONNECTIONS))
                        .isEqualTo(1);
            } finally {
                held.forEach(SmtpClient::close);
            }
        }
    }

    @Test
    void aClientGetsTwentyConnectionsBeforeLoginAndTheTwentyFirstIs421(@TempDir Path dir) throws Exception {
        try (TestRelay relay = TestRelay.start(dir)) {
            List<SmtpClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    SmtpClient c = SmtpClient.connectFrom("127.0.0.9", relay.port("submission"));
                    held.add(c);
                    assertThat(c.readReply().line()).startsWith("220 ");
                }
                try (SmtpClient extra = SmtpClient.connectFrom("127.0.0.9", relay.port("submission"))) {
                    assertThat(extra.readReply().line()).isEqualTo(FROM_YOUR_ADDRESS);
                    assertThat(extra.awaitClosed()).isEmpty();
                }
                // The same address on port 25 is counted apart, and another client submits as usual.
                try (SmtpClient mx = SmtpClient.connectFrom("127.0.0.9", relay.port("smtp"))) {
                    assertThat(mx.readReply().line()).startsWith("220 ");
                }
                String alice = SmtpFixtures.account(relay);
                try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
                    c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
                    c.expect(c.sendMail(alice, alice, SmtpFixtures.encrypted(alice, alice)), 250);
                }
                assertThat(StoredMail.count(relay)).isEqualTo(1);
            } finally {
                held.forEach(SmtpClient::close);
            }
        }
    }
}
