package chatmail.store;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stored message's raw bytes, opened for reading (SEC-1): the size is known before a byte is
 * read, and any range streams in bounded chunks, so a reader (IMAP FETCH) holds a buffer, not
 * the message. Once opened, the bytes stay readable where the backend allows it (an open file
 * outlives its unlink); a backend that cannot hold them (a database read chunk by chunk) fails a
 * read with an {@link IOException} when the message went away meanwhile. Not thread-safe.
 */
public interface StoredContent extends Closeable {

    /** The number of bytes. */
    long size();

    /**
     * A stream of the bytes {@code [from, from + length)}, clipped to the content; the caller
     * closes it. It ends early only with an {@link IOException}.
     */
    InputStream range(long from, long length) throws IOException;

    /** Up to {@code length} bytes from {@code from}, for small ranges (a header section). */
    default byte[] read(long from, int length) throws IOException {
        try (InputStream in = range(from, length)) {
            return in.readAllBytes();
        }
    }

    /** Content held in memory (small bodies stored inline). The array must not change. */
    static StoredContent of(byte[] bytes) {
        return new StoredContent() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public InputStream range(long from, long length) {
                int start = (int) Math.min(Math.max(from, 0), bytes.length);
                int count = (int) Math.min(Math.max(length, 0), bytes.length - start);
                return new ByteArrayInputStream(bytes, start, count);
            }

            @Override
            public void close() {}
        };
    }
}
