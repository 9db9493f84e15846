package chatmail.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImapResponseWriterTest {

    /** Records each write call separately. */
    private static final class Recording extends OutputStream {
        final List<byte[]> writes = new ArrayList<>();
        int flushes;

        @Override
        public void write(int b) {
            writes.add(new byte[] {(byte) b});
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
        }

        @Override
        public void flush() {
            flushes++;
        }

        String all() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writes.forEach(out::writeBytes);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBurstOfResponsesIsOneWrite() throws IOException {
        Recording out = new Recording();
        ImapResponseWriter w = new ImapResponseWriter(out);
        w.untagged("FLAGS (\\Seen)");
        w.untagged("3 EXISTS");
        w.append("* 1 FETCH (UID 4 BODY[] ");
        w.literal("abc".getBytes(StandardCharsets.US_ASCII));
        w.append(")");
        w.endLine();
        w.tagged("a1", "OK", "done");
        assertThat(out.writes).isEmpty();
        w.flush();
        assertThat(out.writes).hasSize(1);
        assertThat(out.all()).isEqualTo("* FLAGS (\\Seen)\r\n* 3 EXISTS\r\n* 1 FETCH (UID 4 BODY[] {3}\r\nabc)\r\na1 OK done\r\n");
        w.flush();
        assertThat(out.writes).hasSize(1);
    }

    @Test
    void writesWhileBuildingOncePast64KiB() throws IOException {
        Recording out = new Recording();
        ImapResponseWriter w = new ImapResponseWriter(out);
        String line = "1 FETCH (UID 1 FLAGS (\\Seen))";
        int lines = 0;
        while (out.writes.isEmpty()) {
            w.untagged(line);
            lines++;
        }
        assertThat(out.writes.getFirst().length).isGreaterThan(ImapResponseWriter.FLUSH_THRESHOLD);
        assertThat(out.writes.getFirst().length).isLessThan(ImapResponseWriter.FLUSH_THRESHOLD + 100);
        w.flush();
        assertThat(out.all()).hasSize(lines * (line.length() + 4));
    }

    @Test
    void largeLiteralIsWrittenDirectlyAfterItsPrefix() throws IOException {
        Recording out = new Recording();
        ImapResponseWriter w = new ImapResponseWriter(out);
        byte[] big = new byte[200_000];
        java.util.Arrays.fill(big, (byte) 'x');
        w.append("* 1 FETCH (BODY[] ");
        w.literal(big);
        w.append(")");
        w.endLine();
        w.tagged("t", "OK", "Fetch completed");
        w.flush();
        assertThat(out.writes).hasSize(3);
        assertThat(out.writes.get(1)).isSameAs(out.writes.get(1)).hasSize(200_000);
        assertThat(out.all()).startsWith("* 1 FETCH (BODY[] {200000}\r\nxxx").endsWith("x)\r\nt OK Fetch completed\r\n");
    }

    @Test
    void continuationGoesOutAtOnce() throws IOException {
        Recording out = new Recording();
        ImapResponseWriter w = new ImapResponseWriter(out);
        w.continuation("OK");
        assertThat(out.all()).isEqualTo("+ OK\r\n");
        assertThat(out.flushes).isEqualTo(1);
    }

    @Test
    void wireStrings() {
        assertThat(Wire.astring("INBOX")).isEqualTo("INBOX");
        assertThat(Wire.astring("")).isEqualTo("\"\"");
        assertThat(Wire.astring("NIL")).isEqualTo("\"NIL\"");
        assertThat(Wire.string("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(Wire.string("l\r\nü")).isEqualTo("{5}\r\nl\r\nü");
        assertThat(Wire.nstring(null)).isEqualTo("NIL");
    }
}
