package chatmail.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.james.mime4j.io.EOLConvertingInputStream;
import org.junit.jupiter.api.Test;

class CrlfNormalizingInputStreamTest {

    @Test
    void everyLineEndingBecomesCrlf() throws IOException {
        String[][] cases = {
                {"a\r\nb", "a\r\nb"},
                {"a\nb", "a\r\nb"},
                {"a\rb", "a\r\nb"},
                {"a\r\r\nb", "a\r\n\r\nb"},
                {"a\n\nb", "a\r\n\r\nb"},
                {"a\n\rb", "a\r\n\r\nb"},
                {"a\r", "a\r\n"},
                {"\n", "\r\n"},
                {"", ""},
        };
        for (String[] c : cases) {
            byte[] in = c[0].getBytes(StandardCharsets.US_ASCII);
            byte[] expected = c[1].getBytes(StandardCharsets.US_ASCII);
            assertThat(convert(in, 8192)).as(c[0]).isEqualTo(expected);
            assertThat(convertByteByByte(in)).as(c[0]).isEqualTo(expected);
        }
    }

    /** jdkim hashes what mime4j's converter gives; ours must give the same bytes, however it is read. */
    @Test
    void givesWhatMime4jGivesForAnyInputAndReadSize() throws IOException {
        Random random = new Random(42);
        byte[] alphabet = {'\r', '\n', 'a', ' ', (byte) 0xff};
        for (int round = 0; round < 2000; round++) {
            byte[] in = new byte[random.nextInt(20_000)];
            for (int i = 0; i < in.length; i++) {
                in[i] = alphabet[random.nextInt(alphabet.length)];
            }
            byte[] expected = new EOLConvertingInputStream(new ByteArrayInputStream(in)).readAllBytes();
            assertThat(convert(in, 1 + random.nextInt(10_000))).isEqualTo(expected);
        }
    }

    private static byte[] convert(byte[] in, int readSize) throws IOException {
        // A source that returns short reads, so conversions across its buffer's edges are tested too.
        InputStream trickle = new ByteArrayInputStream(in) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + in.length % 7));
            }
        };
        try (InputStream s = new CrlfNormalizingInputStream(trickle)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] b = new byte[readSize];
            int n;
            while ((n = s.read(b, 0, b.length)) >= 0) {
                out.write(b, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static byte[] convertByteByByte(byte[] in) throws IOException {
        try (InputStream s = new CrlfNormalizingInputStream(new ByteArrayInputStream(in))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int c;
            while ((c = s.read()) >= 0) {
                out.write(c);
            }
            return out.toByteArray();
        }
    }
}
