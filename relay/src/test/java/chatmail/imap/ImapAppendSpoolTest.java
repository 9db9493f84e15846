package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.smtp.StoredMail;
import chatmail.spool.BodySpool;
import chatmail.testing.DirectoryWatch;
import java.time.Duration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-1 for IMAP: an APPEND literal is never sized from its announcement; a large one streams
 * into the spool and the store takes the file; a literal larger than max_message_size gets the
 * defined refusal and nothing is stored; other commands' literals stay line-sized.
 */
class ImapAppendSpoolTest {

    @TempDir
    Path dir;
    ImapFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private void assertSpoolEmpty() throws IOException {
        try (Stream<Path> files = Files.list(fx.relay.config().dataDir().resolve("tmp"))) {
            assertThat(files).as("spool files left").isEmpty();
        }
    }

    @Test
    void aLargeAppendIsSpooledAndStoredByteForByte() throws Exception {
        fx = ImapFixture.start(dir);
        StringBuilder m = new StringBuilder("From: <sender@example.org>\r\nSubject: big\r\n\r\n");
        while (m.length() < 5 * BodySpool.MEMORY_LIMIT) {
            m.append("line ").append(m.length()).append("\r\n");
        }
        byte[] message = m.toString().getBytes(StandardCharsets.US_ASCII);
        try (ImapTestClient c = fx.client()) {
            c.send("a APPEND INBOX {" + message.length + "}\r\n");
            assertThat(c.line()).isEqualTo("+ OK");
            c.send(message);
            c.send("\r\n");
            assertThat(c.line()).startsWith("a OK [APPENDUID ");
            c.send("b APPEND INBOX {" + message.length + "+}\r\n");
            c.send(message);
            c.send("\r\n");
            assertThat(c.line()).startsWith("b OK [APPENDUID ");
        }
        assertThat(StoredMail.inbox(fx.relay, fx.user)).hasSize(2).allSatisfy(stored -> assertThat(stored).isEqualTo(message));
        assertSpoolEmpty();
    }

    @Test
    void anAppendLargerThanMaxMessageSizeIsRefusedAndNothingIsStored() throws Exception {
        fx = ImapFixture.start(dir);
        long max = fx.relay.config().maxMessageSize();
        try (ImapTestClient c = fx.client()) {
            c.send("a APPEND INBOX {" + (max + 1) + "}\r\n");
            assertThat(c.line()).isEqualTo("a NO [TOOBIG] Literal too large.");
            assertThat(c.command("n", "NOOP").getLast()).isEqualTo("n OK NOOP completed.");
            c.send("b APPEND INBOX {" + (max + 1) + "+}\r\n");
            assertThat(c.line()).isEqualTo("b BAD [TOOBIG] Literal too large.");
            assertThat(c.line()).isEqualTo("* BYE Literal too large.");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(StoredMail.count(fx.relay)).isZero();
        assertSpoolEmpty();
    }

    @Test
    void aClientThatStopsInsideTheLiteralLeavesNothingBehind() throws Exception {
        fx = ImapFixture.start(dir);
        try (ImapTestClient c = fx.client()) {
            c.send("a APPEND INBOX {31457280+}\r\n");
            c.send("x".repeat(3 * BodySpool.MEMORY_LIMIT));
            // The spool holds what came, in a file; the connection then ends mid-literal.
            awaitSpoolFile();
        }
        awaitSpoolEmpty();
        assertThat(StoredMail.count(fx.relay)).isZero();
    }

    @Test
    void literalsOfOtherCommandsAreLineSized() throws Exception {
        fx = ImapFixture.start(dir);
        try (ImapTestClient c = fx.client()) {
            c.send("a SETMETADATA INBOX (/private/devicetoken {" + (ImapLimits.DEFAULT_MAX_LINE + 1) + "}\r\n");
            assertThat(c.line()).isEqualTo("a NO [TOOBIG] Literal too large.");
            assertThat(c.command("n", "NOOP").getLast()).isEqualTo("n OK NOOP completed.");
        }
    }

    private void awaitSpoolFile() throws Exception {
        DirectoryWatch.await(fx.relay.config().dataDir().resolve("tmp"), n -> n > 0, Duration.ofSeconds(30));
    }

    private void awaitSpoolEmpty() throws Exception {
        DirectoryWatch.await(fx.relay.config().dataDir().resolve("tmp"), n -> n == 0, Duration.ofSeconds(30));
    }
}
