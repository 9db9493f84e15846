package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;

class DeflateOutputStreamTest {

    /** Counts writes, keeps bytes. */
    private static final class Sink extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> writes = new ArrayList<>();

        @Override
        public void write(int b) {
            writes.add(1);
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(len);
            bytes.write(b, off, len);
        }
    }

    private static String inflate(byte[] raw, int length) throws IOException {
        InflaterInputStream in = new InflaterInputStream(new ByteArrayInputStream(raw), new Inflater(true));
        return new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }

    @Test
    void eachFlushIsOneWriteAndInflatesToWhatWasWritten() throws IOException {
        Sink sink = new Sink();
        DeflateOutputStream out = new DeflateOutputStream(sink);
        String burst = "* 1 FETCH (FLAGS (\\Seen))\r\n".repeat(500) + "a OK Fetch completed.\r\n";
        out.write(burst.getBytes(StandardCharsets.US_ASCII));
        assertThat(sink.writes).isEmpty();
        out.flush();
        assertThat(sink.writes).hasSize(1);
        assertThat(inflate(sink.bytes.toByteArray(), burst.length())).isEqualTo(burst);
    }

    @Test
    void releasingTheDeflaterBetweenBurstsKeepsTheStreamValid() throws IOException {
        Sink sink = new Sink();
        DeflateOutputStream out = new DeflateOutputStream(sink);
        StringBuilder all = new StringBuilder();
        out.write("+ idling\r\n".getBytes(StandardCharsets.US_ASCII));
        all.append("+ idling\r\n");
        out.flush();
        out.releaseAfterFlush(true);
        for (int i = 0; i < 5; i++) {
            String line = "* " + i + " EXISTS\r\n* OK Still here\r\n";
            out.write(line.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(out.holdsDeflater()).isFalse();
            all.append(line);
        }
        assertThat(inflate(sink.bytes.toByteArray(), all.length())).isEqualTo(all.toString());
    }
}
