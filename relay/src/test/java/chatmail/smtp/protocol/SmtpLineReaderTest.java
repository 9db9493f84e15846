package chatmail.smtp.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SmtpLineReaderTest {

    private static SmtpLineReader reader(String data, int chunk) {
        return new SmtpLineReader(new ChunkedInputStream(data.getBytes(StandardCharsets.UTF_8), chunk), 512, 1024);
    }

    private static SmtpLine line(String text) {
        return new SmtpLine.Complete(text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 4096})
    void linesEndOnlyWithCrlf(int chunk) throws IOException {
        SmtpLineReader r = reader("EHLO a\r\nMAIL FROM:<x@y>\r\n\r\nQUIT\r\n", chunk);
        assertThat(r.readLine()).isEqualTo(line("EHLO a"));
        assertThat(r.readLine()).isEqualTo(line("MAIL FROM:<x@y>"));
        assertThat(r.readLine()).isEqualTo(line(""));
        assertThat(r.readLine()).isEqualTo(line("QUIT"));
        assertThat(r.readLine()).isEqualTo(SmtpLine.END_OF_INPUT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOOP\nQUIT\r\n", "NOOP\rQUIT\r\n", "NO\nOP\r\n", "NOOP\r\r\n", "\n", "NOOP\n\r\n"})
    void bareLfOrCrInACommandIsReported(String data) throws IOException {
        for (int chunk : new int[] {1, 2, 100}) {
            assertThat(reader(data, chunk).readLine()).as(data).isEqualTo(SmtpLine.BARE_LINE_ENDING);
        }
    }

    @Test
    void bareCrAsLastByteBeforeEofIsEndOfInput() throws IOException {
        // The CR might still be followed by LF; the stream ends first.
        assertThat(reader("NOOP\r", 1).readLine()).isEqualTo(SmtpLine.END_OF_INPUT);
    }

    @Test
    void unterminatedLineAtEofIsEndOfInput() throws IOException {
        SmtpLineReader r = reader("QUIT\r\nNOOP", 3);
        assertThat(r.readLine()).isEqualTo(line("QUIT"));
        assertThat(r.readLine()).isEqualTo(SmtpLine.END_OF_INPUT);
        assertThat(r.readLine()).isEqualTo(SmtpLine.END_OF_INPUT);
    }

    @Test
    void limitCountsCrlf() throws IOException {
        String ok = "A".repeat(510);
        SmtpLineReader r = reader(ok + "\r\n" + "B".repeat(511) + "\r\nQUIT\r\n", 64);
        assertThat(r.readLine()).isEqualTo(line(ok));
        assertThat(r.readLine()).isEqualTo(SmtpLine.TOO_LONG);
        assertThat(r.readLine()).isEqualTo(line("QUIT"));
    }

    @Test
    void tooLongLineIsSkippedWithoutBufferingAndTheNextLineIsRead() throws IOException {
        // 1 MB without a line end through a 1 KiB buffer: skipped, then the next line parses.
        byte[] huge = ("X".repeat(1_000_000) + "\r\nNOOP\r\n").getBytes(StandardCharsets.US_ASCII);
        SmtpLineReader r = new SmtpLineReader(new ChunkedInputStream(huge, 5000), 512, 1024);
        assertThat(r.readLine()).isEqualTo(SmtpLine.TOO_LONG);
        assertThat(r.readLine()).isEqualTo(line("NOOP"));
    }

    @Test
    void bareLfInsideATooLongLineIsStillBareLineEnding() throws IOException {
        assertThat(reader("Y".repeat(600) + "\nQUIT\r\n", 50).readLine()).isEqualTo(SmtpLine.BARE_LINE_ENDING);
        assertThat(reader("Y".repeat(600) + "\rQUIT\r\n", 50).readLine()).isEqualTo(SmtpLine.BARE_LINE_ENDING);
    }

    @Test
    void perCallLimitIsLenientForAuthLines() throws IOException {
        String auth = "A".repeat(2000);
        SmtpLineReader r = new SmtpLineReader(new ChunkedInputStream((auth + "\r\n" + auth + "\r\n").getBytes(), 100), 512, 4096);
        assertThat(r.readLine()).isEqualTo(SmtpLine.TOO_LONG);
        assertThat(r.readLine(4096)).isEqualTo(line(auth));
        assertThatThrownBy(() -> r.readLine(8192)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportsPipelinedInput() throws IOException {
        // One read delivers the whole burst, as a pipelining client's single packet would.
        SmtpLineReader r = reader("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n", 4096);
        r.readLine();
        assertThat(r.hasBufferedInput()).isTrue();
        r.readLine();
        assertThat(r.hasBufferedInput()).isTrue();
        assertThat(r.readLine()).isEqualTo(line("DATA"));
        assertThat(r.hasBufferedInput()).isFalse();
    }

    @Test
    void starttlsDiscardsBytesSentBeforeTheHandshake() throws IOException {
        SmtpLineReader r = reader("STARTTLS\r\nMAIL FROM:<evil@x.y>\r\n", 4096);
        assertThat(r.readLine()).isEqualTo(line("STARTTLS"));
        assertThat(r.bufferedBytes()).isEqualTo("MAIL FROM:<evil@x.y>\r\n".length());
        InputStream tls = new ChunkedInputStream("EHLO after\r\n".getBytes(), 4096);
        assertThat(r.switchTo(tls)).isEqualTo("MAIL FROM:<evil@x.y>\r\n".length());
        assertThat(r.hasBufferedInput()).isFalse();
        assertThat(r.readLine()).isEqualTo(line("EHLO after"));
    }

    @Test
    void readsInLargeChunksNotPerByte() throws IOException {
        byte[] data = "NOOP\r\n".repeat(1000).getBytes();
        ChunkedInputStream in = new ChunkedInputStream(data, Integer.MAX_VALUE);
        SmtpLineReader r = new SmtpLineReader(in, 512);
        for (int i = 0; i < 1000; i++) {
            assertThat(r.readLine()).isEqualTo(line("NOOP"));
        }
        assertThat(r.readLine()).isEqualTo(SmtpLine.END_OF_INPUT);
        assertThat(in.reads).isLessThan(5);
    }

    @Test
    void bufferStartsSmallAndGrowsForALongLineOrABurst() throws IOException {
        String auth = "AUTH PLAIN " + "x".repeat(4000);
        byte[] data = (auth + "\r\n" + "NOOP\r\n".repeat(2000)).getBytes(StandardCharsets.US_ASCII);
        SmtpLineReader r = new SmtpLineReader(new ChunkedInputStream(data, 100), 4096);
        // A connection that has sent nothing holds only the small buffer (SEC-3's floods).
        assertThat(r.buf).hasSize(SmtpLineReader.INITIAL_BUFFER_SIZE);
        assertThat(r.readLine()).isEqualTo(line(auth));
        assertThat(r.buf.length).isBetween(4096, SmtpLineReader.DEFAULT_BUFFER_SIZE);
        for (int i = 0; i < 2000; i++) {
            assertThat(r.readLine()).isEqualTo(line("NOOP"));
        }
        assertThat(r.readLine()).isEqualTo(SmtpLine.END_OF_INPUT);
    }
}
