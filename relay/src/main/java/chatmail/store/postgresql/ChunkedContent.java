package chatmail.store.postgresql;

import chatmail.store.ContentRange;
import chatmail.store.StoredContent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;

/**
 * A body in {@code body_chunks} opened for reading: the chunks' lengths are read when it is
 * opened (no data), and a range fetches one chunk at a time, each on a pooled connection held only
 * for that query, so a slow IMAP client holds neither a connection nor more than one chunk. The
 * rows are not held: a body whose last message was expunged meanwhile ends the read with an
 * {@link IOException} (the FETCH response cannot be finished, so the session closes).
 */
final class ChunkedContent implements StoredContent {
    private final PostgresDatabase db;
    private final long bodyId;
    /** offsets[i] is where chunk i starts; offsets[n] is the size. */
    private final long[] offsets;

    private ChunkedContent(PostgresDatabase db, long bodyId, long[] offsets) {
        this.db = db;
        this.bodyId = bodyId;
        this.offsets = offsets;
    }

    /** Null when the body has no chunks or they do not add up to {@code size} (gone meanwhile). */
    static ChunkedContent open(PostgresDatabase db, long bodyId, long size) {
        long[] offsets = db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT octet_length(data) FROM body_chunks WHERE body_id = ? ORDER BY seq")) {
                s.setLong(1, bodyId);
                try (ResultSet rs = s.executeQuery()) {
                    long[] at = new long[8];
                    int n = 0;
                    while (rs.next()) {
                        if (n + 1 >= at.length) {
                            at = Arrays.copyOf(at, at.length * 2);
                        }
                        at[n + 1] = at[n] + rs.getLong(1);
                        n++;
                    }
                    return Arrays.copyOf(at, n + 1);
                }
            }
        });
        if (offsets[offsets.length - 1] != size || (size > 0 && offsets.length < 2)) {
            return null;
        }
        return new ChunkedContent(db, bodyId, offsets);
    }

    @Override
    public long size() {
        return offsets[offsets.length - 1];
    }

    @Override
    public InputStream range(long from, long length) {
        return new ContentRange(from, length, size()) {
            private byte[] chunk;
            private long chunkStart;

            @Override
            protected int readAt(long position, byte[] b, int off, int len) throws IOException {
                if (chunk == null || position < chunkStart || position >= chunkStart + chunk.length) {
                    int seq = Arrays.binarySearch(offsets, position);
                    seq = seq >= 0 ? seq : -seq - 2;
                    chunk = fetch(seq);
                    chunkStart = offsets[seq];
                    if (chunk.length != offsets[seq + 1] - offsets[seq]) {
                        throw new IOException("message body changed while being read");
                    }
                }
                int at = (int) (position - chunkStart);
                int n = Math.min(len, chunk.length - at);
                System.arraycopy(chunk, at, b, off, n);
                return n;
            }

            @Override
            public int available() {
                return chunk == null ? 0 : (int) Math.max(0, Math.min(chunkStart + chunk.length - position(), remaining()));
            }
        };
    }

    private byte[] fetch(int seq) throws IOException {
        byte[] data;
        try {
            data = db.read(c -> {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT data FROM body_chunks WHERE body_id = ? AND seq = ?")) {
                    s.setLong(1, bodyId);
                    s.setInt(2, seq);
                    try (ResultSet rs = s.executeQuery()) {
                        return rs.next() ? rs.getBytes(1) : null;
                    }
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            throw new IOException("cannot read a message body: " + e.getMessage(), e);
        }
        if (data == null) {
            throw new IOException("message expunged while being read");
        }
        return data;
    }

    @Override
    public void close() {}
}
