package chatmail.smtp.protocol;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * Delivers a byte array in reads of at most {@code chunk} bytes, as a slow network does, so
 * tests cross every buffer boundary. Counts read calls.
 */
final class ChunkedInputStream extends InputStream {
    private final ByteArrayInputStream in;
    private final int chunk;
    int reads;

    ChunkedInputStream(byte[] data, int chunk) {
        this.in = new ByteArrayInputStream(data);
        this.chunk = chunk;
    }

    @Override
    public int read() {
        reads++;
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
        reads++;
        return in.read(b, off, Math.min(len, chunk));
    }
}
