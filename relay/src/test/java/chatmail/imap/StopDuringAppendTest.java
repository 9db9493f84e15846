package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.net.TcpListener;
import chatmail.smtp.StoredMail;
import chatmail.spool.BodySpool;
import chatmail.testing.DirectoryWatch;
import chatmail.testing.LogLines;
import chatmail.testing.TestRelay;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay that stops while an APPEND's literal is still arriving closes that connection at once
 * (the command is not read yet, so there is nothing to answer: docs/decisions.md, "The receiving
 * side of a stop"), stores nothing of it, leaves no spool file, and takes the same APPEND whole
 * after the restart: the client's retry stores the message once.
 */
class StopDuringAppendTest {

    @TempDir
    Path dir;

    @Test
    void anAppendWhoseLiteralIsArrivingWhenTheRelayStopsIsClosedUnansweredAndStoredOnlyByTheRetry() throws Exception {
        byte[] message = largeMessage();
        int half = message.length / 2;
        ImapFixture fx = ImapFixture.start(dir);
        CompletableFuture<Void> stopped = null;
        List<String> before;
        try (LogLines listeners = LogLines.of(TcpListener.class); ImapTestClient c = fx.client()) {
            c.send("a APPEND INBOX {" + message.length + "+}\r\n");
            c.send(Arrays.copyOfRange(message, 0, half));
            // The spool has a file once the relay reads past what it keeps in memory.
            DirectoryWatch.await(fx.relay.config().dataDir().resolve("tmp"), n -> n > 0, Duration.ofSeconds(30));

            stopped = CompletableFuture.runAsync(fx::close);
            before = untilClosed(c);
            stopped.get(30, TimeUnit.SECONDS);
            assertThat(listeners.lines()).as("the stop waited for no command")
                    .noneMatch(line -> line.contains("stopping, waiting"));
        } finally {
            if (stopped == null) {
                fx.close();
            }
        }
        assertThat(before).as("what the client read before the close").noneMatch(line -> line.startsWith("a "));

        try (TestRelay again = TestRelay.start(dir)) {
            assertThat(StoredMail.count(again)).as("messages stored from the interrupted APPEND").isZero();
            DirectoryWatch.await(again.config().dataDir().resolve("tmp"), n -> n == 0, Duration.ofSeconds(30));
            try (ImapTestClient retry = ImapTestClient.imaps(again).login(fx.user, ImapFixture.PASSWORD)) {
                retry.send("b APPEND INBOX {" + message.length + "+}\r\n");
                retry.send(message);
                retry.send("\r\n");
                assertThat(retry.line()).startsWith("b OK [APPENDUID ");
            }
            assertThat(StoredMail.inbox(again, fx.user)).hasSize(1).allSatisfy(stored -> assertThat(stored).isEqualTo(message));
        }
    }

    /** Larger than what the spool keeps in memory, so a spool file shows the literal is being read. */
    private static byte[] largeMessage() {
        StringBuilder m = new StringBuilder("From: <sender@example.org>\r\nSubject: big\r\n\r\n");
        while (m.length() < 4 * BodySpool.MEMORY_LIMIT) {
            m.append("line ").append(m.length()).append("\r\n");
        }
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The lines the server sent until it closed the connection (a reset counts as a close). */
    private static List<String> untilClosed(ImapTestClient c) throws IOException {
        List<String> lines = new ArrayList<>();
        try {
            while (true) {
                lines.add(c.line());
            }
        } catch (EOFException | SocketException closed) {
            return lines;
        }
    }
}
