package chatmail.smtp.protocol;

import chatmail.smtp.protocol.DataReader.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

class DataReaderTest {

    private record Outcome(DataReader.Result result, String body, SmtpLineReader reader) {
    }

    private static Outcome read(String stream, int chunk, long max) throws IOException {
        SmtpLineReader r = new SmtpLineReader(
                new ChunkedInputStream(stream.getBytes(StandardCharsets.UTF_8), chunk), 512, 1024);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        DataReader.Result result = new DataReader(r, max).read(sink);
        return new Outcome(result, sink.toString(StandardCharsets.UTF_8), r);
    }

    private static final int[] CHUNKS = {1, 2, 3, 5, 64, 4096};

    @Test
    void endsAtCrlfDotCrlfKeepingCrlfLineEndings() throws IOException {
        for (int chunk : CHUNKS) {
            Outcome o = read("Subject: hi\r\n\r\nbody line\r\n.\r\n", chunk, 1000);
            assertThat(o.result()).isEqualTo(new DataReader.Result(Status.ACCEPTED, 26));
            assertThat(o.body()).isEqualTo("Subject: hi\r\n\r\nbody line\r\n");
        }
    }

    @Test
    void emptyBody() throws IOException {
        Outcome o = read(".\r\n", 1, 10);
        assertThat(o.result()).isEqualTo(new DataReader.Result(Status.ACCEPTED, 0));
        assertThat(o.body()).isEmpty();
    }

    @Test
    void dotUnstuffing() throws IOException {
        for (int chunk : CHUNKS) {
            Outcome o = read("..\r\n...two\r\n.x\r\nmid.dle\r\n..\r\n.\r\n", chunk, 1000);
            assertThat(o.result().status()).isEqualTo(Status.ACCEPTED);
            assertThat(o.body()).as("chunk " + chunk).isEqualTo(".\r\n..two\r\nx\r\nmid.dle\r\n.\r\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "text\n.\ntext\r\n.\r\n",       // <LF>.<LF>
            "text\r.\rtext\r\n.\r\n",       // <CR>.<CR>
            "text\n.\r\ntext\r\n.\r\n",     // <LF>.<CR><LF>
            "text\r\n.\ntext\r\n.\r\n",     // <CR><LF>.<LF>
            "text\r\n.\rtext\r\n.\r\n",     // <CR><LF>.<CR>
            "bare\nline\r\n.\r\n",
            "bare\rline\r\n.\r\n",
            "\n.\r\n",
            "ok\r\n\r\r\n.\r\n",
    })
    void smugglingSequencesNeverTerminateAndAreRejected(String stream) throws IOException {
        for (int chunk : CHUNKS) {
            Outcome o = read(stream + "MAIL FROM:<smuggled@x.y>\r\n", chunk, 1000);
            assertThat(o.result().status()).as(stream + " chunk " + chunk).isEqualTo(Status.BARE_LINE_ENDING);
            assertThat(o.result().errorReply()).isEqualTo(SmtpReplies.BARE_LINE_ENDING);
        }
    }

    @Test
    void pipelinedCommandAfterTheDotStaysBuffered() throws IOException {
        String stream = "line one\r\n.\r\nMAIL FROM:<next@x.y>\r\nQUIT\r\n";
        Outcome o = read(stream, 4096, 1000);
        assertThat(o.result().status()).isEqualTo(Status.ACCEPTED);
        assertThat(o.body()).isEqualTo("line one\r\n");
        assertThat(o.reader().hasBufferedInput()).isTrue();
        assertThat(o.reader().readLine()).isEqualTo(new SmtpLine.Complete("MAIL FROM:<next@x.y>".getBytes()));
        assertThat(o.reader().readLine()).isEqualTo(new SmtpLine.Complete("QUIT".getBytes()));
    }

    @Test
    void dataEndsExactlyAtTheFirstTerminatorInAPipelinedStream() throws IOException {
        // The second "message" is commands for the line reader, never part of the first body.
        String stream = "a\r\n.\r\nRSET\r\nb\r\n.\r\n";
        for (int chunk : CHUNKS) {
            Outcome o = read(stream, chunk, 1000);
            assertThat(o.body()).isEqualTo("a\r\n");
            assertThat(o.reader().readLine()).isEqualTo(new SmtpLine.Complete("RSET".getBytes()));
            assertThat(o.reader().readLine()).isEqualTo(new SmtpLine.Complete("b".getBytes()));
        }
    }

    @Test
    void tooLargeIsConsumedUpToTheTerminatorAndTheNextCommandParses() throws IOException {
        String body = "0123456789\r\n".repeat(100); // 1200 bytes
        for (int chunk : CHUNKS) {
            Outcome o = read(body + ".\r\nQUIT\r\n", chunk, 1000);
            assertThat(o.result().status()).isEqualTo(Status.TOO_LARGE);
            assertThat(o.result().errorReply()).isEqualTo(SmtpReplies.TOO_LARGE);
            assertThat(o.result().size()).isEqualTo(1200);
            assertThat(o.body().length()).isLessThanOrEqualTo(1000);
            assertThat(o.reader().readLine()).isEqualTo(new SmtpLine.Complete("QUIT".getBytes()));
        }
    }

    @Test
    void exactlyTheLimitIsAccepted() throws IOException {
        Outcome o = read("12345678\r\n.\r\n", 3, 10);
        assertThat(o.result()).isEqualTo(new DataReader.Result(Status.ACCEPTED, 10));
        assertThat(read("123456789\r\n.\r\n", 3, 10).result().status()).isEqualTo(Status.TOO_LARGE);
    }

    @Test
    void endOfInputBeforeTerminator() throws IOException {
        for (String s : new String[] {"", "text", "text\r\n", "text\r\n.", "text\r\n.\r", "text\r"}) {
            assertThat(read(s, 1, 100).result().status()).as(s).isEqualTo(Status.END_OF_INPUT);
        }
    }

    @Test
    void thirtyMegabytesStreamInFewWrites() throws IOException {
        byte[] line = ("A".repeat(76) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        int lines = 30 * 1024 * 1024 / line.length;
        byte[] stream = new byte[lines * line.length + 5];
        for (int i = 0; i < lines; i++) {
            System.arraycopy(line, 0, stream, i * line.length, line.length);
        }
        System.arraycopy(".\r\nX\r".getBytes(), 0, stream, lines * line.length, 5);
        SmtpLineReader r = new SmtpLineReader(new ChunkedInputStream(stream, 65536), 512);
        CountingSink sink = new CountingSink();
        DataReader.Result result = new DataReader(r, 31_457_280).read(sink);
        assertThat(result).isEqualTo(new DataReader.Result(Status.ACCEPTED, (long) lines * line.length));
        assertThat(sink.bytes).isEqualTo((long) lines * line.length);
        CRC32 expected = new CRC32();
        expected.update(stream, 0, lines * line.length);
        assertThat(sink.crc.getValue()).isEqualTo(expected.getValue());
        // One write per buffer fill, not one per line.
        assertThat(sink.writes).isLessThan(lines / 50);
        assertThat(r.bufferedBytes()).isEqualTo(2);
    }

    private static final class CountingSink extends OutputStream {
        final CRC32 crc = new CRC32();
        long bytes;
        int writes;

        @Override
        public void write(int b) {
            throw new AssertionError("single-byte write");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            crc.update(b, off, len);
            bytes += len;
            writes++;
        }
    }
}
