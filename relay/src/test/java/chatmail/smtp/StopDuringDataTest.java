package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.net.AlpnRouter;
import chatmail.net.ClientFirstListener;
import chatmail.testing.DirectoryWatch;
import chatmail.testing.LogLines;
import chatmail.testing.TestRelay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A relay that stops while a submission sends its message answers that DATA before it closes
 * the connection: the client otherwise gets no reply for a message whose commit may be under
 * way, and sends it again after the restart (a duplicate). Connections that wait for their
 * client (between commands, in IMAP IDLE) are closed at once meanwhile, not after the wait.
 * On port 465 and behind the port-443 router alike.
 */
class StopDuringDataTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "via port 443: {0}")
    @ValueSource(booleans = {false, true})
    void aMessageBeingReceivedWhenTheRelayStopsIsAnsweredAndStoredOnce(boolean via443) throws Exception {
        TestRelay relay = TestRelay.start(dir);
        CompletableFuture<Void> stopped = null;
        String bob;
        try (LogLines listeners = LogLines.of(via443 ? AlpnRouter.class : ClientFirstListener.class)) {
            String alice = SmtpFixtures.account(relay);
            bob = SmtpFixtures.account(relay);
            // Larger than what the spool keeps in memory, so a spool file shows the body is being read.
            byte[] message = SmtpClient.dotStuffed(SmtpFixtures.encrypted(alice, bob, 200 * 1024));
            try (SmtpClient busy = submission(relay, via443);
                    SmtpClient idle = submission(relay, via443);
                    SSLSocket idling = imapIdle(relay, bob)) {
                busy.expect(busy.authPlain(alice, SmtpFixtures.PASSWORD), 235);
                idle.expect(idle.authPlain(alice, SmtpFixtures.PASSWORD), 235);
                busy.expect(busy.command("MAIL FROM:<" + alice + ">"), 250);
                busy.expect(busy.command("RCPT TO:<" + bob + ">"), 250);
                busy.expect(busy.command("DATA"), 354);
                int half = message.length / 2;
                busy.write(Arrays.copyOfRange(message, 0, half));
                DirectoryWatch.await(relay.config().dataDir().resolve("tmp"), n -> n > 0, Duration.ofSeconds(20));

                stopped = CompletableFuture.runAsync(relay::close);
                String listener = via443 ? "https" : "submissions";
                listeners.await(line -> line.contains(listener + ": stopping, waiting up to 5 s for 1 commands"), 20);
                // The stop waits for the DATA, whose end has not been sent yet: these closes did not wait.
                assertThat(idle.awaitClosed()).as("an SMTP connection between commands").isEmpty();
                closed(idling);

                busy.write(Arrays.copyOfRange(message, half, message.length));
                busy.expect(busy.readReply(), 250);
                assertThat(busy.awaitClosed()).as("after the reply, the stop closes the connection").isEmpty();
            }
            stopped.get(20, TimeUnit.SECONDS);
        } finally {
            if (stopped == null) {
                relay.close();
            }
        }
        try (TestRelay again = TestRelay.start(dir)) {
            assertThat(StoredMail.inbox(again, bob)).hasSize(1);
        }
    }

    /** A submission connection after its greeting and EHLO. */
    private static SmtpClient submission(TestRelay relay, boolean via443) throws IOException {
        if (!via443) {
            return SmtpClient.ready(relay.port("submissions"), true);
        }
        SmtpClient c = SmtpClient.connectAlpn(relay.port("https"));
        c.expect(c.readReply(), 220);
        c.expect(c.ehlo(), 250);
        return c;
    }

    /** A logged-in IMAP connection in IDLE on the INBOX. */
    private static SSLSocket imapIdle(TestRelay relay, String user) throws IOException {
        SSLSocket s = (SSLSocket) TrustAllTls.socketFactory().createSocket(relay.host(), relay.port("imaps"));
        s.setSoTimeout((int) SmtpClient.READ_DEADLINE.toMillis());
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        readUntil(in, "* OK");
        out.write(("a LOGIN " + user + " " + SmtpFixtures.PASSWORD + "\r\nb SELECT INBOX\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        readUntil(in, "b OK");
        out.write("c IDLE\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        readUntil(in, "+ ");
        return s;
    }

    /** Reads lines until one starts with {@code start}. */
    private static void readUntil(InputStream in, String start) throws IOException {
        while (true) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("closed before " + start + ": " + line.toString(StandardCharsets.UTF_8));
                }
                line.write(b);
            }
            if (line.toString(StandardCharsets.UTF_8).startsWith(start)) {
                return;
            }
        }
    }

    /** Waits for the server's close within the read deadline; returns what came before it. */
    private static String closed(SSLSocket s) throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = s.getInputStream().read()) >= 0) {
                rest.write(b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection; received: " + rest);
        } catch (IOException reset) {
            // A reset (or a TLS close without close_notify) is a close too.
        }
        return rest.toString(StandardCharsets.UTF_8);
    }
}
