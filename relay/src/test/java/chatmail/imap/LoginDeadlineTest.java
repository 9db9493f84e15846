package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.metrics.ConnectionRefusal;
import chatmail.metrics.ConnectionService;
import chatmail.smtp.SmtpClient;
import chatmail.testing.MetricValues;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-3's login_timeout is absolute: a client that keeps the connection busy with a byte every
 * little while, but never logs in (port 25: never sends MAIL), is cut when it runs out, with the
 * protocol's refusal. The read timeouts stay at their defaults (minutes), so only the deadline
 * can end these connections; it is a second here, so no test waits long.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginDeadlineTest {
    static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(1);

    ImapFixture fx;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        fx = ImapFixture.start(dir, b -> b.limits = b.limits.withLoginTimeout(LOGIN_TIMEOUT));
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    /** Writes one byte every 100 ms until stopped or the connection breaks: never idle, never done. */
    private static CompletableFuture<Void> trickle(OutputStream out, byte[] bytes, AtomicBoolean stop) {
        return CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; !stop.get(); i = (i + 1) % bytes.length) {
                    out.write(bytes[i]);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException closed) {
                // the server cut the connection: what the test waits for
            }
        });
    }

    @Test
    void anImapClientTricklingBytesIsCutAtTheDeadlineWhileALoggedInOneStays() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (ImapTestClient legit = fx.client(); ImapTestClient slow = ImapTestClient.imapFrom(fx.relay, "127.0.0.3")) {
            assertThat(slow.line()).startsWith("* OK ");
            // "a NOOP" spelled one byte at a time, without ever ending the line.
            CompletableFuture<Void> writer = trickle(slow.socket().getOutputStream(), "a NOOPxxxx".getBytes(), stop);
            assertThat(slow.line()).isEqualTo("* BYE Login time limit exceeded.");
            assertThat(slow.closedByServer()).isTrue();
            stop.set(true);
            writer.get(20, TimeUnit.SECONDS);
            // The logged-in client is past the same deadline and still served.
            assertThat(legit.command("n", "NOOP").getLast()).isEqualTo("n OK NOOP completed.");
        }
        assertThat(MetricValues.refused(fx.relay, ConnectionService.IMAP, ConnectionRefusal.LOGIN_TIMEOUT))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void submissionWithoutAuthAndPort25WithoutMailAreCutAtTheDeadline() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (SmtpClient submission = SmtpClient.connectFrom("127.0.0.4", fx.relay.port("submission"));
                SmtpClient mx = SmtpClient.connectFrom("127.0.0.4", fx.relay.port("smtp"))) {
            assertThat(submission.readReply().line()).startsWith("220 ");
            assertThat(mx.readReply().line()).startsWith("220 ");
            // Port 25 chats along with complete commands, all answered, but never says MAIL.
            CompletableFuture<String> chatter = CompletableFuture.supplyAsync(() -> {
                while (true) {
                    try {
                        mx.send("NOOP");
                    } catch (IOException closed) {
                        // the server's last words, if any, are read below
                    }
                    try {
                        var reply = mx.readReply();
                        if (reply.code() != 250) {
                            return reply.line();
                        }
                        Thread.sleep(100);
                    } catch (IOException | InterruptedException e) {
                        return "no refusal: " + e;
                    }
                }
            });
            CompletableFuture<Void> writer = trickle(submission.socket().getOutputStream(), "EHLO x".getBytes(), stop);
            assertThat(submission.readReply().line()).isEqualTo("421 4.7.0 Login time limit exceeded, closing connection");
            assertThat(submission.awaitClosed()).isEmpty();
            assertThat(chatter.get(20, TimeUnit.SECONDS))
                    .isEqualTo("421 4.7.0 Time limit before MAIL exceeded, closing connection");
            assertThat(mx.awaitClosed()).isEmpty();
            stop.set(true);
            writer.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSilentConnectionToAnImplicitTlsPortIsClosedWithoutAWordNotBeforeThreeQuartersOfTheTimeout() throws Exception {
        // A flood's connection (issue 11): not even a ClientHello. Its first read ends at its own
        // deadline, which ClientLimits puts somewhere in the last quarter of login_timeout.
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), fx.relay.port("imaps"))) {
            s.setSoTimeout(20_000);
            long start = System.nanoTime();
            assertThat(s.getInputStream().readAllBytes()).isEmpty();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(LOGIN_TIMEOUT.toNanos() * 3 / 4 - 50_000_000);
        }
    }

    @Test
    void aTlsHandshakeSentAByteAtATimeIsCutToo() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        // A ClientHello's first bytes on 465, trickled: the handshake reads never time out by themselves.
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), fx.relay.port("submissions"))) {
            s.setSoTimeout(20_000);
            // A handshake record announcing 512 bytes, of which a few arrive each second.
            byte[] hello = new byte[512 + 5];
            System.arraycopy(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03},
                    0, hello, 0, 11);
            CompletableFuture<Void> writer = trickle(s.getOutputStream(), hello, stop);
            // Closed by the watchdog, without a word: no TLS, so nothing can be said.
            assertThat(s.getInputStream().readAllBytes()).isEmpty();
            stop.set(true);
            writer.get(20, TimeUnit.SECONDS);
        }
        // A legitimate client on the same port is served.
        String alice = TestRelay.address("alicedead");
        try (SmtpClient c = SmtpClient.ready(fx.relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, ImapFixture.PASSWORD), 235);
        }
    }
}
