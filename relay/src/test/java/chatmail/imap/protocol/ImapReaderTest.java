package chatmail.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ImapReaderTest {
    private final List<String> events = new ArrayList<>();

    private ImapReader reader(String input, int chunk) {
        return new ImapReader(new ChunkedInputStream(input.getBytes(StandardCharsets.UTF_8), chunk), 64,
                () -> events.add("flush"));
    }

    private static String text(ImapReader.Input input) {
        return new String(((ImapReader.Command) input).bytes(), StandardCharsets.UTF_8);
    }

    private ImapReader.Input read(ImapReader reader) throws IOException {
        return reader.readCommand(100, () -> events.add("+ OK"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 4096})
    void assemblesLiteralsAndSendsContinuationOnlyForSynchronizingOnes(int chunk) throws IOException {
        ImapReader r = reader("a LOGIN {4}\r\nuser {5+}\r\np\r\nss\r\nb NOOP\r\n", chunk);
        assertThat(text(read(r))).isEqualTo("a LOGIN {4}\r\nuser {5+}\r\np\r\nss");
        assertThat(events.stream().filter(e -> e.equals("+ OK")).count()).isEqualTo(1);
        assertThat(text(read(r))).isEqualTo("b NOOP");
        assertThat(read(r)).isInstanceOf(ImapReader.EndOfInput.class);
    }

    @Test
    void continuationIsSentBeforeTheLiteralIsAwaited() throws IOException {
        ImapReader r = reader("a LOGIN {4}\r\nuser pass\r\n", 1);
        read(r);
        // The continuation comes before the reader blocks for the literal's first byte.
        assertThat(events.indexOf("+ OK")).isLessThan(events.lastIndexOf("flush"));
    }

    @Test
    void aDeclaredLiteralIsNotAllocatedBeforeItsBytesArrive() throws IOException {
        // SEC-1 / IMAP-7: 50 MB announced, three bytes sent, then the client stops.
        ImapReader r = new ImapReader(new ChunkedInputStream(
                "a APPEND INBOX {50000000+}\r\nxyz".getBytes(StandardCharsets.US_ASCII), 4096), 1024, () -> { });
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThat(r.readCommand(100_000_000, () -> { })).isInstanceOf(ImapReader.EndOfInput.class);
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1_000_000);
    }

    @Test
    void onlyAppendMayAnnounceALargeLiteral() throws IOException {
        String metadata = "a SETMETADATA INBOX (/private/comment {" + (ImapReader.MAX_OTHER_LITERAL + 1) + "}\r\n";
        ImapReader r = reader(metadata + "b append INBOX {" + (ImapReader.MAX_OTHER_LITERAL + 1) + "}\r\n", 4096);
        assertThat(r.readCommand(1_000_000, () -> events.add("+ OK"))).isEqualTo(new ImapReader.LiteralTooLarge("a", true));
        assertThat(events).doesNotContain("+ OK");
        assertThat(r.readCommand(1_000_000, () -> events.add("+ OK"))).isInstanceOf(ImapReader.EndOfInput.class);
        assertThat(events).contains("+ OK");
    }

    @Test
    void bareLfEndsALineToo() throws IOException {
        ImapReader r = reader("a NOOP\nb NOOP\r\n", 3);
        assertThat(text(read(r))).isEqualTo("a NOOP");
        assertThat(text(read(r))).isEqualTo("b NOOP");
    }

    @Test
    void tooLargeSynchronizingLiteralIsRefusedWithoutContinuation() throws IOException {
        ImapReader r = reader("t APPEND INBOX {101}\r\nc NOOP\r\n", 5);
        assertThat(read(r)).isEqualTo(new ImapReader.LiteralTooLarge("t", true));
        assertThat(events).doesNotContain("+ OK");
        assertThat(text(read(r))).isEqualTo("c NOOP");
    }

    @Test
    void tooLargeNonSynchronizingLiteralIsReported() throws IOException {
        ImapReader r = reader("t APPEND INBOX {99999999999999999999+}\r\n", 5);
        assertThat(read(r)).isEqualTo(new ImapReader.LiteralTooLarge("t", false));
    }

    @Test
    void tooLongLineIsConsumedAndReportedWithItsTag() throws IOException {
        ImapReader r = reader("long NOOP " + "x".repeat(200) + "\r\nb NOOP\r\n", 16);
        assertThat(read(r)).isEqualTo(new ImapReader.TooLong("long"));
        assertThat(text(read(r))).isEqualTo("b NOOP");
    }

    @Test
    void lineOfExactlyTheLimitIsAccepted() throws IOException {
        String line = "a " + "x".repeat(62);
        assertThat(text(read(reader(line + "\r\n", 5)))).isEqualTo(line);
        assertThat(read(reader(line + "y\r\n", 5))).isInstanceOf(ImapReader.TooLong.class);
    }

    @Test
    void endInsideALiteral() throws IOException {
        assertThat(read(reader("a LOGIN {10}\r\nabc", 2))).isInstanceOf(ImapReader.EndOfInput.class);
    }

    @Test
    void flushesOnlyWhenItMustBlock() throws IOException {
        ImapReader r = reader("a NOOP\r\nb NOOP\r\nc NOOP\r\n", 4096);
        read(r);
        read(r);
        read(r);
        // One read got all three pipelined commands; the flush hook ran once before it.
        assertThat(events).containsExactly("flush");
        assertThat(r.hasBufferedInput()).isFalse();
    }

    @Test
    void discardAndTakeBuffered() throws IOException {
        ImapReader r = reader("a STARTTLS\r\nb LOGIN x y\r\n", 4096);
        read(r);
        assertThat(r.hasBufferedInput()).isTrue();
        assertThat(r.discardBuffered()).isEqualTo("b LOGIN x y\r\n".length());
        ImapReader r2 = reader("a COMPRESS DEFLATE\r\n\u0001\u0002", 4096);
        read(r2);
        assertThat(r2.takeBuffered()).containsExactly(1, 2);
    }

    @Test
    void readLineForDone() throws IOException {
        ImapReader r = reader("DONE\r\n", 2);
        assertThat(text(r.readLine())).isEqualTo("DONE");
        assertThat(r.readLine()).isInstanceOf(ImapReader.EndOfInput.class);
    }
}
