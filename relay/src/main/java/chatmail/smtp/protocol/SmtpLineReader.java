package chatmail.smtp.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads SMTP command lines from a stream through its own buffer. Only CRLF ends a line; a bare
 * LF or bare CR anywhere is reported as {@link SmtpLine.BareLineEnding}, so no other server's
 * idea of a line end can be smuggled through us (SMTP-12). Lines longer than the limit are
 * skipped, not buffered. {@link DataReader} reads the message body from the same buffer, so
 * pipelined commands after the final dot stay where the next {@link #readLine()} finds them.
 * Not thread-safe; one per connection.
 */
public final class SmtpLineReader {
    /** RFC 5321 4.5.3.1.4: a command line is at most 512 octets including CRLF. */
    public static final int RFC_COMMAND_LINE_LIMIT = 512;
    public static final int DEFAULT_BUFFER_SIZE = 8192;
    /**
     * What the buffer starts with: most connections never send more than a few short commands
     * at once, and one that sends nothing (a flood, SEC-3) should not hold the whole buffer.
     */
    static final int INITIAL_BUFFER_SIZE = 512;

    static final byte CR = '\r';
    static final byte LF = '\n';

    private InputStream in;
    private final int maxLineLength;
    private final int capacity;
    // Package-private so DataReader scans the same bytes without copying or per-byte calls. It
    // grows (up to capacity) when a line does not fit or a read fills it; DataReader takes it
    // at its largest.
    byte[] buf;
    int pos;
    int limit;

    /**
     * @param maxLineLength longest accepted line in octets, CRLF included (512 per RFC 5321;
     *                      a larger value is lenient with long AUTH lines)
     */
    public SmtpLineReader(InputStream in, int maxLineLength) {
        this(in, maxLineLength, Math.max(DEFAULT_BUFFER_SIZE, maxLineLength));
    }

    public SmtpLineReader(InputStream in, int maxLineLength, int bufferSize) {
        this.in = Objects.requireNonNull(in);
        if (maxLineLength < 3) {
            throw new IllegalArgumentException("maxLineLength must be at least 3");
        }
        if (bufferSize < maxLineLength || bufferSize < 4) {
            throw new IllegalArgumentException("bufferSize must hold a whole line");
        }
        this.maxLineLength = maxLineLength;
        this.capacity = bufferSize;
        this.buf = new byte[Math.min(bufferSize, INITIAL_BUFFER_SIZE)];
    }

    public int maxLineLength() {
        return maxLineLength;
    }

    /** Reads the next line with the configured limit. */
    public SmtpLine readLine() throws IOException {
        return readLine(maxLineLength);
    }

    /**
     * Reads the next line, allowing at most {@code limit} octets including CRLF (at most the
     * buffer size). Blocks until a line end, a line-ending error, or end of input.
     */
    public SmtpLine readLine(int limit) throws IOException {
        if (limit < 3 || limit > capacity) {
            throw new IllegalArgumentException("line limit outside 3.." + capacity + ": " + limit);
        }
        int scanned = 0; // bytes from pos known to hold neither CR nor LF
        while (true) {
            int end = this.limit;
            int i = pos + scanned;
            while (i < end) {
                byte b = buf[i];
                if (b == CR || b == LF) {
                    break;
                }
                i++;
            }
            int contentLength = i - pos;
            if (contentLength + 2 > limit) {
                pos = i;
                return skipRestOfLongLine();
            }
            if (i < end) {
                if (buf[i] == LF) {
                    pos = i + 1;
                    return SmtpLine.BARE_LINE_ENDING;
                }
                if (i + 1 < end) {
                    if (buf[i + 1] != LF) {
                        pos = i + 1;
                        return SmtpLine.BARE_LINE_ENDING;
                    }
                    byte[] line = Arrays.copyOfRange(buf, pos, i);
                    pos = i + 2;
                    return new SmtpLine.Complete(line);
                }
            }
            // No line end yet (or a CR is the last buffered byte): read more behind it.
            scanned = contentLength;
            if (!readMore()) {
                return SmtpLine.END_OF_INPUT;
            }
        }
    }

    /** Discards bytes up to and including the next CRLF; pos is at the first unexamined byte. */
    private SmtpLine skipRestOfLongLine() throws IOException {
        while (true) {
            int end = limit;
            int i = pos;
            while (i < end) {
                byte b = buf[i];
                if (b == CR || b == LF) {
                    break;
                }
                i++;
            }
            if (i < end) {
                if (buf[i] == LF) {
                    pos = i + 1;
                    return SmtpLine.BARE_LINE_ENDING;
                }
                if (i + 1 < end) {
                    pos = buf[i + 1] == LF ? i + 2 : i + 1;
                    return buf[i + 1] == LF ? SmtpLine.TOO_LONG : SmtpLine.BARE_LINE_ENDING;
                }
            }
            pos = i; // keep only a trailing CR, if any
            if (!readMore()) {
                return SmtpLine.END_OF_INPUT;
            }
        }
    }

    /**
     * True when bytes beyond the lines consumed so far are already buffered: the client has
     * pipelined more, so the session should not flush its replies yet.
     */
    public boolean hasBufferedInput() {
        return pos < limit;
    }

    /** Number of buffered, not yet consumed bytes. */
    public int bufferedBytes() {
        return limit - pos;
    }

    /**
     * Drops everything buffered and returns how many bytes that was. After STARTTLS, bytes the
     * client sent before the handshake must never be executed (CVE-2011-0411 class).
     */
    public int discardBuffered() {
        int n = limit - pos;
        pos = 0;
        limit = 0;
        return n;
    }

    /**
     * Continues on another stream (the TLS layer after STARTTLS), dropping what was buffered.
     *
     * @return how many buffered bytes were discarded
     */
    public int switchTo(InputStream newIn) {
        this.in = Objects.requireNonNull(newIn);
        return discardBuffered();
    }

    /**
     * Ensures at least {@code n} unconsumed bytes are buffered, reading as needed.
     *
     * @return false if the stream ended first
     */
    boolean ensure(int n) throws IOException {
        while (limit - pos < n) {
            if (!readMore()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads at least one more byte behind {@code limit}, first moving the unconsumed bytes to
     * the start of the buffer when there is no room behind them.
     *
     * @return false at end of stream
     */
    boolean readMore() throws IOException {
        if (limit == buf.length) {
            int n = limit - pos;
            if (n == buf.length) {
                if (buf.length == capacity) {
                    throw new IllegalStateException("buffer full"); // callers never let this happen
                }
                buf = Arrays.copyOf(buf, Math.min(capacity, buf.length * 2));
            } else {
                System.arraycopy(buf, pos, buf, 0, n);
                pos = 0;
                limit = n;
            }
        } else if (pos == limit) {
            pos = 0;
            limit = 0;
        }
        while (true) {
            int room = buf.length - limit;
            int r = in.read(buf, limit, room);
            if (r < 0) {
                return false;
            }
            if (r > 0) {
                limit += r;
                if (r == room && buf.length < capacity) {
                    // The client sends faster than the buffer takes: a body, or pipelining.
                    grow();
                }
                return true;
            }
        }
    }

    /** Makes the buffer as large as it gets (before a body: fewer, larger reads). */
    void grow() {
        if (buf.length < capacity) {
            buf = Arrays.copyOf(buf, capacity);
        }
    }
}
