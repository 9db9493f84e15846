package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
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

    @Test
    void connectionsBeyondMaxSmtpConnectionsGet421(@TempDir Path dir) throws Exception {
        // 5 in all, a fifth of it (one) per client address: 127.0.0.1 … 127.0.0.5 take them all.
        try (TestRelay relay = TestRelay.start(dir, b -> b.maxSmtpConnections = 5)) {
            int port = relay.port("smtp");
            List<SmtpClient> held = new ArrayList<>();
            try {
                for (int i = 1; i <= 5; i++) {
                    SmtpClient c = SmtpClient.connectFrom("127.0.0." + i, port);
                    held.add(c);
                    assertThat(c.readReply().line()).startsWith("220 ");
                }
                try (SmtpClient extra = SmtpClient.connectFrom("127.0.0.6", port)) {
                    assertThat(extra.readReply().line()).startsWith("421 4.7.0");
                    assertThat(extra.awaitClosed()).isEmpty();
                }
                // The per-client share: a second connection from a busy address is refused too.
                held.removeFirst().close();
                try (SmtpClient second = SmtpClient.connectFrom("127.0.0.2", relay.port("submission"))) {
                    assertThat(second.readReply().line()).startsWith("421 4.7.0");
                }
                // The slot 127.0.0.1 gave back is free again, once the server has noticed.
                assertThat(awaitGreeting("127.0.0.1", port)).startsWith("220 ");
            } finally {
                held.forEach(SmtpClient::close);
            }
        }
    }

    /** Connects until the server greets instead of refusing (it releases a slot asynchronously). */
    private static String awaitGreeting(String from, int port) throws Exception {
        long deadline = System.nanoTime() + SmtpClient.READ_DEADLINE.toNanos();
        while (true) {
            try (SmtpClient c = SmtpClient.connectFrom(from, port)) {
                String line = c.readReply().line();
                if (line.startsWith("220 ") || System.nanoTime() > deadline) {
                    return line;
                }
                c.awaitClosed();
            }
        }
    }
}
