package chatmail.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads CRLF-terminated protocol lines (SMTP replies, IMAP responses) from a buffered stream. */
final class LineInput {
    private static final int MAX_LINE = 64 * 1024;

    private final InputStream in;
    private final byte[] line = new byte[MAX_LINE];

    LineInput(InputStream in) {
        this.in = in;
    }

    /** The next line without its CRLF (a bare LF also ends a line); EOFException at end of stream. */
    String readLine() throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (b == '\n') {
                if (n > 0 && line[n - 1] == '\r') {
                    n--;
                }
                return new String(line, 0, n, StandardCharsets.UTF_8);
            }
            if (n == MAX_LINE) {
                throw new IOException("server line longer than " + MAX_LINE + " bytes");
            }
            line[n++] = (byte) b;
        }
    }

    /** Skips exactly {@code count} bytes, for IMAP literals the bench does not look at. */
    void skip(long count) throws IOException {
        long left = count;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("connection closed inside a literal");
                }
                s = 1;
            }
            left -= s;
        }
    }
}
