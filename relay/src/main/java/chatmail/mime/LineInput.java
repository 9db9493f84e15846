package chatmail.mime;

import java.io.IOException;
import java.io.InputStream;

/**
 * A message read line by line through one fixed buffer. Each {@link #next()} makes the next
 * <em>segment</em> current: a whole line with its line ending when it fits the buffer, else a
 * buffer-full piece of a longer line. Memory stays at the buffer whatever the line lengths, and
 * every byte is looked at a bounded number of times (SEC-4: no quadratic loop over client input).
 * Line endings are LF or CRLF; a lone CR is an ordinary byte.
 */
final class LineInput {

    static final int BUFFER = 16 * 1024;

    private final InputStream in;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int limit;
    private boolean eof;
    private long consumed;
    private boolean atLineStart = true;

    // The current segment.
    private int start;
    private int contentEnd;
    private int end;
    private boolean startsLine;
    private boolean endsLine;
    private long offset;
    private boolean held;
    private long previousContentEnd;

    LineInput(InputStream in) {
        this.in = in;
    }

    /** Makes the next segment current; false at the end of the input. */
    boolean next() throws IOException {
        if (held) {
            held = false;
            return true;
        }
        int lf = indexOfLf(pos, limit);
        while (lf < 0 && !eof && (pos > 0 || limit < buf.length)) {
            // Only the newly read bytes are searched, so a slowly arriving line is scanned once.
            int scanned = limit - pos;
            fill();
            lf = indexOfLf(pos + scanned, limit);
        }
        previousContentEnd = offset + (contentEnd - start);
        if (pos == limit) {
            start = end = contentEnd = pos;
            offset = consumed + pos;
            return false;
        }
        startsLine = atLineStart;
        start = pos;
        offset = consumed + pos;
        if (lf >= 0) {
            end = lf + 1;
            contentEnd = lf > pos && buf[lf - 1] == '\r' ? lf - 1 : lf;
            endsLine = true;
        } else if (eof) {
            end = limit;
            contentEnd = limit;
            endsLine = true;
        } else {
            // A line longer than the buffer: hand out what fits, but never split a CR from its LF.
            end = limit;
            if (buf[limit - 1] == '\r' && limit - 1 > pos) {
                end = limit - 1;
            }
            contentEnd = end;
            endsLine = false;
        }
        pos = end;
        atLineStart = endsLine;
        return true;
    }

    private int indexOfLf(int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Moves unread bytes to the front and reads more; sets eof when the input ends. */
    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            consumed += pos;
            limit -= pos;
            pos = 0;
        }
        int r = in.read(buf, limit, buf.length - limit);
        if (r < 0) {
            eof = true;
        } else {
            limit += r;
        }
    }

    /** Keeps the current segment: the next {@link #next()} makes it current again. */
    void hold() {
        held = true;
    }

    /** True while a held segment waits for the next {@link #next()}. */
    boolean isHeld() {
        return held;
    }

    byte[] buffer() {
        return buf;
    }

    /** First byte of the current segment in {@link #buffer()}. */
    int start() {
        return start;
    }

    /** End of the segment's content: before its CRLF or LF, if it ends a line. */
    int contentEnd() {
        return contentEnd;
    }

    /** End of the segment including its line ending. */
    int end() {
        return end;
    }

    /** True when the segment begins a line. */
    boolean startsLine() {
        return startsLine;
    }

    /** True when the segment ends its line (with a line ending, or at the end of the input). */
    boolean endsLine() {
        return endsLine;
    }

    /** True when the segment is a whole line. */
    boolean wholeLine() {
        return startsLine && endsLine;
    }

    /** True when the segment is an empty line (only its line ending). */
    boolean emptyLine() {
        return wholeLine() && contentEnd == start && end > start;
    }

    /** Offset of the segment's first byte from the start of the input. */
    long offset() {
        return offset;
    }

    /**
     * Offset where the content of the segment before the current one ended (before its line
     * ending): where an entity ends when the current segment is a boundary line.
     */
    long previousContentEnd() {
        return previousContentEnd;
    }

    /** Offset just after the current segment. */
    long endOffset() {
        return offset + (end - start);
    }
}
