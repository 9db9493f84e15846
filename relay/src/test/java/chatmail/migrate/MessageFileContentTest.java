package chatmail.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class MessageFileContentTest {

    private static byte[] served(byte[] file) throws IOException, ReferenceFormatException {
        try (InputStream in = MessageFileContent.open(new ByteArrayInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void bareLineFeedsAreServedAsCrlfAndExistingCrlfStays() throws Exception {
        assertThat(served(ascii("Subject: x\n\nbody\nend"))).isEqualTo(ascii("Subject: x\r\n\r\nbody\r\nend"));
        assertThat(served(ascii("a\r\nb\n\r\n\rc\n"))).isEqualTo(ascii("a\r\nb\r\n\r\n\rc\r\n"));
        assertThat(served(new byte[0])).isEmpty();
    }

    @Test
    void gzipFilesAreDecompressedByTheirContentNotTheirName() throws Exception {
        byte[] plain = ascii("From: a@example.org\nSubject: gz\n\nhello\n");
        assertThat(served(gzip(plain))).isEqualTo(ascii("From: a@example.org\r\nSubject: gz\r\n\r\nhello\r\n"));
        byte[] twoMembers = concat(gzip(ascii("a\n")), gzip(ascii("b\n")));
        assertThat(served(twoMembers)).isEqualTo(ascii("a\r\nb\r\n"));
    }

    @Test
    void aTruncatedGzipFileFailsAndOtherCompressionsAreNamed() throws Exception {
        byte[] whole = gzip(ascii("x".repeat(10_000) + "\n"));
        assertThatThrownBy(() -> served(Arrays.copyOf(whole, whole.length / 2))).isInstanceOf(IOException.class);
        for (byte[] other : new byte[][] {ascii("BZh91AY&SY"), {(byte) 0xfd, '7', 'z', 'X', 'Z', 0},
                {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 1}, ascii("Dovecot-LZ4\r\n")}) {
            assertThatThrownBy(() -> served(other)).isInstanceOf(ReferenceFormatException.class)
                    .hasMessageContaining("other than gzip");
        }
    }

    @Test
    void crlfConversionIsTheSameWhateverTheReadSizes() throws IOException {
        Random random = new Random(7);
        byte[] input = new byte[50_000];
        for (int i = 0; i < input.length; i++) {
            int r = random.nextInt(10);
            input[i] = (byte) (r == 0 ? '\n' : r == 1 ? '\r' : 'a' + r);
        }
        byte[] oneByOne = readWith(input, 0);
        for (int chunk : new int[] {1, 2, 3, 7, 4096, 100_000}) {
            assertThat(readWith(input, chunk)).as("chunks of " + chunk).isEqualTo(oneByOne);
        }
        int bareLf = 0;
        for (int i = 0; i < input.length; i++) {
            if (input[i] == '\n' && (i == 0 || input[i - 1] != '\r')) {
                bareLf++;
            }
        }
        assertThat(oneByOne).hasSize(input.length + bareLf);
    }

    private static byte[] readWith(byte[] input, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CrlfInputStream in = new CrlfInputStream(new ByteArrayInputStream(input))) {
            if (chunk == 0) {
                int c;
                while ((c = in.read()) >= 0) {
                    out.write(c);
                }
            } else {
                byte[] buffer = new byte[chunk + 3];
                int n;
                while ((n = in.read(buffer, 3, chunk)) >= 0) {
                    assertThat(n).isPositive().isLessThanOrEqualTo(chunk);
                    out.write(buffer, 3, n);
                }
            }
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
