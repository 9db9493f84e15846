package chatmail.store;

import chatmail.util.SingleByteRead;
import java.io.IOException;
import java.io.InputStream;

/**
 * The stream of {@link StoredContent#range}: bytes {@code [from, from + length)} clipped to the
 * content's size, read piece by piece at a position by the backend ({@link #readAt}). It ends
 * early only with an {@link IOException}.
 */
public abstract class ContentRange extends InputStream {
    private final long end;
    private long position;

    protected ContentRange(long from, long length, long size) {
        this.position = Math.min(Math.max(from, 0), size);
        this.end = position + Math.min(Math.max(length, 0), size - position);
    }

    /**
     * Reads at least one and at most {@code len} bytes at {@code position} (never past the
     * range's end) into {@code b}; a backend that has none there throws.
     */
    protected abstract int readAt(long position, byte[] b, int off, int len) throws IOException;

    /** Where the next byte is read from, counted from the content's start. */
    protected final long position() {
        return position;
    }

    /** Bytes left in the range. */
    protected final long remaining() {
        return end - position;
    }

    @Override
    public int read() throws IOException {
        return SingleByteRead.through(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (position >= end) {
            return -1;
        }
        int n = readAt(position, b, off, (int) Math.min(len, end - position));
        position += n;
        return n;
    }
}
