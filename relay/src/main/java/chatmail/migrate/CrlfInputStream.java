package chatmail.migrate;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Inserts CR before every LF that has none, as Dovecot does when it serves a Maildir file. */
final class CrlfInputStream extends FilterInputStream {
    private boolean lastWasCr;
    private boolean pendingLf;
    private byte[] chunk = new byte[0];

    CrlfInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        if (pendingLf) {
            pendingLf = false;
            lastWasCr = false;
            return '\n';
        }
        int c = in.read();
        if (c == '\n' && !lastWasCr) {
            pendingLf = true;
            lastWasCr = true;
            return '\r';
        }
        lastWasCr = c == '\r';
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int written = 0;
        if (pendingLf) {
            b[off + written++] = '\n';
            pendingLf = false;
            lastWasCr = false;
        }
        // Read at most half the room, so every LF can take its CR along.
        int room = (len - written) / 2;
        if (room == 0) {
            if (written > 0) {
                return written;
            }
            int c = read();
            if (c < 0) {
                return -1;
            }
            b[off] = (byte) c;
            return 1;
        }
        if (chunk.length < room) {
            chunk = new byte[Math.min(room, 64 * 1024)];
        }
        room = Math.min(room, chunk.length);
        int n = in.read(chunk, 0, room);
        if (n < 0) {
            return written > 0 ? written : -1;
        }
        for (int i = 0; i < n; i++) {
            byte c = chunk[i];
            if (c == '\n' && !lastWasCr) {
                b[off + written++] = '\r';
            }
            b[off + written++] = c;
            lastWasCr = c == '\r';
        }
        return written;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n && read() >= 0) {
            skipped++;
        }
        return skipped;
    }

    @Override
    public int available() {
        return pendingLf ? 1 : 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void mark(int readLimit) {
        // not supported
    }

    @Override
    public void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }
}
