package chatmail.imap.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Collects a command's responses and writes them in as few writes as possible: everything
 * goes into one buffer that is written when the session flushes (the command ended and the
 * client has nothing more pipelined) or when it passes {@link #FLUSH_THRESHOLD} (IMAP-4). With
 * TCP_NODELAY a write per line would cost a round trip each. Large literals go out directly
 * after what is buffered, without being copied. Not thread-safe; the session serializes use.
 */
public final class ImapResponseWriter {
    /** A response burst larger than this is written while it is being built. */
    public static final int FLUSH_THRESHOLD = 64 * 1024;
    /** The largest piece of a streamed literal held at once. */
    public static final int LITERAL_PIECE = 64 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final int INITIAL = 256;

    private OutputStream out;
    private byte[] pending = new byte[INITIAL];
    private int length;
    private long writes;

    public ImapResponseWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out);
    }

    /** {@code * text}. */
    public void untagged(String text) throws IOException {
        append("* ");
        append(text);
        endLine();
    }

    /** {@code tag status text}, status being OK, NO or BAD. */
    public void tagged(String tag, String status, String text) throws IOException {
        append(tag);
        append(" ");
        append(status);
        append(" ");
        append(text);
        endLine();
    }

    /** {@code + text}, sent at once. */
    public void continuation(String text) throws IOException {
        append("+ ");
        append(text);
        endLine();
        flush();
    }

    /** Appends text (UTF-8) to the response line being built. */
    public void append(String text) throws IOException {
        append(text.getBytes(StandardCharsets.UTF_8));
    }

    public void append(byte[] bytes) throws IOException {
        append(bytes, 0, bytes.length);
    }

    public void append(byte[] bytes, int offset, int count) throws IOException {
        ensure(count);
        System.arraycopy(bytes, offset, pending, length, count);
        length += count;
        if (length > FLUSH_THRESHOLD) {
            writePending();
        }
    }

    /** Appends {@code {n}CRLF} and the bytes. */
    public void literal(byte[] bytes, int offset, int count) throws IOException {
        append("{" + count + "}\r\n");
        if (length + count <= FLUSH_THRESHOLD) {
            append(bytes, offset, count);
            return;
        }
        writePending();
        out.write(bytes, offset, count);
        writes++;
    }

    public void literal(byte[] bytes) throws IOException {
        literal(bytes, 0, bytes.length);
    }

    /**
     * Appends {@code {count}CRLF} and {@code count} bytes of {@code in}, copied to the stream in
     * pieces of at most {@link #LITERAL_PIECE} bytes (SEC-1: a 30 MB message costs a piece of
     * buffer, not 30 MB, however slowly the client reads). A stream that ends early is an
     * {@link IOException}: the literal's size is promised, so the connection cannot go on.
     */
    public void literal(InputStream in, long count) throws IOException {
        append("{" + count + "}\r\n");
        if (length + count <= FLUSH_THRESHOLD) {
            int n = (int) count;
            ensure(n);
            if (in.readNBytes(pending, length, n) != n) {
                throw new IOException("literal source ended early");
            }
            length += n;
            return;
        }
        writePending();
        byte[] piece = new byte[(int) Math.min(LITERAL_PIECE, count)];
        long remaining = count;
        while (remaining > 0) {
            int n = in.read(piece, 0, (int) Math.min(piece.length, remaining));
            if (n < 0) {
                throw new IOException("literal source ended early");
            }
            out.write(piece, 0, n);
            writes++;
            remaining -= n;
        }
    }

    /** Ends the response line being built. */
    public void endLine() throws IOException {
        append(CRLF, 0, 2);
    }

    /** Writes what is buffered with one write call and flushes the stream. */
    public void flush() throws IOException {
        writePending();
        out.flush();
    }

    private void writePending() throws IOException {
        if (length == 0) {
            return;
        }
        int n = length;
        length = 0;
        out.write(pending, 0, n);
        writes++;
        if (pending.length > FLUSH_THRESHOLD * 2) {
            // A one-off large burst should not pin its buffer for the connection's lifetime.
            pending = new byte[INITIAL];
        }
    }

    /** Bytes buffered but not yet written. */
    public int pendingBytes() {
        return length;
    }

    /** How many writes went to the stream so far (for tests of the one-write rule). */
    public long writeCount() {
        return writes;
    }

    /** Continues on another stream (after STARTTLS or COMPRESS); nothing may be pending. */
    public void switchTo(OutputStream newOut) {
        if (length != 0) {
            throw new IllegalStateException("responses still queued for the old stream");
        }
        this.out = Objects.requireNonNull(newOut);
    }

    private void ensure(int more) {
        if (length + more > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, length + more));
        }
    }
}
