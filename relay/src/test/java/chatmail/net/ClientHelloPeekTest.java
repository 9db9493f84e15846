package chatmail.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientHelloPeekTest {

    /** Hands out at most {@code n} bytes per read, like a slow network. */
    private static InputStream trickle(byte[] data, int n) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(n, len));
            }
        };
    }

    @Test
    void readsAcrossManySmallReadsAndKeepsEveryByte() throws Exception {
        byte[] split = ClientHellos.records(ClientHellos.message(ClientHellos.jsse(List.of("smtp"))), 50);
        byte[] withMore = Arrays.copyOf(split, split.length + 3);
        ClientHelloPeek.Peeked p = new ClientHelloPeek(32 * 1024).read(trickle(withMore, 1));
        assertThat(p.complete()).isTrue();
        assertThat(p.alpn()).containsExactly("smtp");
        // Stops right at the end of the ClientHello when reads are small; nothing read is lost.
        assertThat(p.bytes()).isEqualTo(split);
    }

    @Test
    void givesUpAtTheLimitWithWhatItRead() throws Exception {
        byte[] endless = ClientHellos.records(new byte[100_000], 16_000);
        endless[5] = 1; // handshake type ClientHello
        endless[6] = 0; endless[7] = (byte) 0xff; endless[8] = (byte) 0xff; // 65535 bytes announced
        ClientHelloPeek.Peeked p = new ClientHelloPeek(70_000).read(trickle(endless, 1000));
        assertThat(p.complete()).isFalse();
        assertThat(p.alpn()).isEmpty();
        assertThat(p.bytes().length).isLessThanOrEqualTo(70_000);
    }

    @Test
    void aLyingLengthStopsAtTheLimitToo() throws Exception {
        byte[] hello = ClientHellos.jsse(List.of("imap"));
        ClientHelloPeek.Peeked p = new ClientHelloPeek(256).read(trickle(hello, 100));
        assertThat(p.complete()).isFalse();
        assertThat(p.bytes()).hasSizeLessThanOrEqualTo(256).isEqualTo(Arrays.copyOf(hello, p.bytes().length));
    }

    @Test
    void endOfStreamReturnsWhatArrived() throws Exception {
        byte[] hello = ClientHellos.jsse(List.of("imap"));
        byte[] cut = Arrays.copyOf(hello, 40);
        ClientHelloPeek.Peeked p = new ClientHelloPeek(32 * 1024).read(trickle(cut, 7));
        assertThat(p.complete()).isFalse();
        assertThat(p.bytes()).isEqualTo(cut);
    }
}
