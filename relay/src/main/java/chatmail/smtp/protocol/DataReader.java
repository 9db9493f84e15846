package chatmail.smtp.protocol;

import java.io.IOException;
import java.io.OutputStream;

import static chatmail.smtp.protocol.SmtpLineReader.CR;
import static chatmail.smtp.protocol.SmtpLineReader.LF;

/**
 * Reads a DATA body (after the {@code 354}) from the connection's {@link SmtpLineReader}:
 * removes dot-stuffing and stops exactly after {@code CRLF.CRLF}. Nothing else ends the body:
 * {@code <LF>.<LF>}, {@code <CR>.<CR>} and {@code <LF>.<CR><LF>} contain a bare line ending,
 * which is reported at once as {@link Status#BARE_LINE_ENDING} (SMTP-12). Bytes after the
 * terminator (pipelined commands) stay buffered in the line reader.
 *
 * <p>The body goes to the sink with its CRLF line endings, the final CRLF of the last line
 * included. Once more than {@code maxMessageSize} bytes arrived, nothing more is written to the
 * sink; the rest is consumed up to the terminator and {@link Status#TOO_LARGE} reported. The
 * scan works on the shared byte array and writes one run of lines per buffer fill.
 */
public final class DataReader {

    public enum Status {
        /** The body ended with CRLF.CRLF and fits; the sink holds all of it. */
        ACCEPTED,
        /** The body ended with CRLF.CRLF but was larger than allowed; the sink holds a prefix. */
        TOO_LARGE,
        /** A bare LF or CR: discard the transaction, answer 521 and close. */
        BARE_LINE_ENDING,
        /** The stream ended before the terminator. */
        END_OF_INPUT
    }

    /**
     * @param size the body size in bytes after unstuffing (also counted beyond the limit,
     *             up to where reading stopped)
     */
    public record Result(Status status, long size) {
        /** The reply for a failed read, or null when the body was accepted. */
        public SmtpReply errorReply() {
            return switch (status) {
                case ACCEPTED, END_OF_INPUT -> null;
                case TOO_LARGE -> SmtpReplies.TOO_LARGE;
                case BARE_LINE_ENDING -> SmtpReplies.BARE_LINE_ENDING;
            };
        }
    }

    private final SmtpLineReader reader;
    private final long maxMessageSize;
    private long size;
    private boolean tooLarge;

    public DataReader(SmtpLineReader reader, long maxMessageSize) {
        if (maxMessageSize < 0) {
            throw new IllegalArgumentException("maxMessageSize < 0");
        }
        this.reader = reader;
        this.maxMessageSize = maxMessageSize;
    }

    /** Reads one body into {@code sink}. The reader must be positioned after the DATA line. */
    public Result read(OutputStream sink) throws IOException {
        size = 0;
        tooLarge = false;
        Status status = scan(sink);
        if (status == Status.ACCEPTED && tooLarge) {
            status = Status.TOO_LARGE;
        }
        return new Result(status, size);
    }

    private Status scan(OutputStream sink) throws IOException {
        final SmtpLineReader r = reader;
        r.grow();
        final byte[] buf = r.buf;
        while (true) {
            // At the start of a line: only a leading dot needs attention.
            if (!r.ensure(1)) {
                return Status.END_OF_INPUT;
            }
            if (buf[r.pos] == '.') {
                if (!r.ensure(2)) {
                    return Status.END_OF_INPUT;
                }
                byte next = buf[r.pos + 1];
                if (next == LF) {
                    r.pos += 2;
                    return Status.BARE_LINE_ENDING;
                }
                if (next == CR) {
                    if (!r.ensure(3)) {
                        return Status.END_OF_INPUT;
                    }
                    boolean terminator = buf[r.pos + 2] == LF;
                    r.pos += terminator ? 3 : 2;
                    return terminator ? Status.ACCEPTED : Status.BARE_LINE_ENDING;
                }
                r.pos++; // dot-stuffing: drop the first dot of the line
            }
            // Scan lines; a run of complete lines without a leading dot goes out in one write.
            int runStart = r.pos;
            int i = runStart;
            while (true) {
                int end = r.limit;
                while (i < end) {
                    byte b = buf[i];
                    if (b == CR || b == LF) {
                        break;
                    }
                    i++;
                }
                if (i == end) {
                    emit(sink, buf, runStart, end);
                    r.pos = end;
                    if (!r.readMore()) {
                        return Status.END_OF_INPUT;
                    }
                    runStart = r.pos;
                    i = runStart;
                    continue;
                }
                if (buf[i] == LF) {
                    r.pos = i + 1;
                    return Status.BARE_LINE_ENDING;
                }
                if (i + 1 == end) {
                    // A CR is the last buffered byte: flush before the buffer moves, then look on.
                    emit(sink, buf, runStart, i);
                    r.pos = i;
                    if (!r.ensure(2)) {
                        return Status.END_OF_INPUT;
                    }
                    runStart = r.pos;
                    i = runStart;
                    end = r.limit;
                }
                if (buf[i + 1] != LF) {
                    r.pos = i + 1;
                    return Status.BARE_LINE_ENDING;
                }
                i += 2; // a complete line
                if (i == end || buf[i] == '.') {
                    emit(sink, buf, runStart, i);
                    r.pos = i;
                    break;
                }
            }
        }
    }

    private void emit(OutputStream sink, byte[] buf, int from, int to) throws IOException {
        int n = to - from;
        if (n <= 0) {
            return;
        }
        size += n;
        if (tooLarge) {
            return;
        }
        if (size > maxMessageSize) {
            tooLarge = true;
            return;
        }
        sink.write(buf, from, n);
    }
}
