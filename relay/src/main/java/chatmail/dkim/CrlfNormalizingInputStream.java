package chatmail.dkim;

import chatmail.util.SingleByteRead;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A stream with every line ending as CRLF: a CRLF stays, a lone CR and a lone LF each become
 * CRLF (what DKIM hashes, RFC 6376 5.3, and what jdkim's own message reader does). It converts a
 * buffer at a time: the body of every message signed or verified passes through it, and a
 * stream that converts byte by byte (mime4j's, one virtual call chain per byte) was the relay's
 * largest CPU cost under the DKIM-heavy attack (docs/security.md).
 */
final class CrlfNormalizingInputStream extends InputStream {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int limit;
    /** The last byte read from {@code in} was a CR: an LF right after it is part of that line ending. */
    private boolean afterCr;
    /** The LF of a line ending whose CR was given out already. */
    private boolean owedLf;

    CrlfNormalizingInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        return SingleByteRead.through(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len) {
            if (owedLf) {
                b[off + n++] = LF;
                owedLf = false;
                continue;
            }
            if (pos == limit) {
                if (n > 0) {
                    return n;
                }
                int read = in.read(buffer, 0, buffer.length);
                if (read < 0) {
                    return -1;
                }
                pos = 0;
                limit = read;
                continue;
            }
            byte c = buffer[pos++];
            if (c == CR) {
                b[off + n++] = CR;
                owedLf = true;
                afterCr = true;
            } else if (c == LF) {
                if (afterCr) {
                    afterCr = false;
                } else {
                    b[off + n++] = CR;
                    owedLf = true;
                }
            } else {
                b[off + n++] = c;
                afterCr = false;
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
