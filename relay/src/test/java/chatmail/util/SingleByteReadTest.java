package chatmail.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class SingleByteReadTest {

    /** Upper-cases ASCII in its block read only, so a one-byte read that bypassed it would show. */
    private static final class UpperCasing extends InputStream {
        private final byte[] data;
        private int pos;

        UpperCasing(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() throws IOException {
            return SingleByteRead.through(this);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == data.length) {
                return -1;
            }
            int n = Math.min(len, data.length - pos);
            for (int i = 0; i < n; i++) {
                byte c = data[pos++];
                b[off + i] = c >= 'a' && c <= 'z' ? (byte) (c - 32) : c;
            }
            return n;
        }
    }

    @Test
    void readsEachByteThroughTheBlockReadAsAnUnsignedValueThenTheEnd() throws IOException {
        InputStream in = new UpperCasing(new byte[] {'a', (byte) 0xff, 'Z'});
        assertEquals('A', in.read());
        assertEquals(0xff, in.read());
        assertEquals('Z', in.read());
        assertEquals(-1, in.read());
        assertEquals(-1, in.read());
    }
}
