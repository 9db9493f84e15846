package chatmail.imap.protocol;

import chatmail.spool.BodySpool;
import chatmail.spool.SpoolWriter;
import chatmail.spool.SpooledBody;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads whole IMAP commands from the client: a line, and when it ends with a literal
 * announcement ({@code {n}} or {@code {n+}}) the literal's bytes and the line after it, and so
 * on. The result holds the command as sent (literals inline, each line end as CRLF, without the
 * last one) for {@link ImapCommandParser}. A synchronizing literal is answered with the
 * continuation {@code + OK} before its bytes are read; one larger than allowed is refused
 * instead. Lines end with CRLF (a bare LF is tolerated, as by common servers).
 *
 * <p>No buffer is sized from an announced literal size (SEC-1): inline literals are small, and
 * the message literal of APPEND goes into the spool as it arrives, counted.
 *
 * <p>Before every read that may block, the {@code beforeBlockingRead} hook runs: the session
 * flushes its buffered responses there, so pipelined commands are answered in one write and a
 * client waiting for an answer is never kept waiting. Not thread-safe; one per connection.
 */
public final class ImapReader {

    /** What {@link #readCommand} found. */
    public sealed interface Input {}

    /**
     * A complete command. An APPEND message literal larger than the inline limit is not in
     * {@code bytes} but in {@code literal}, its content spooled (SEC-1); {@code literalOffset}
     * is where in {@code bytes} it would begin. The receiver closes {@code literal}.
     */
    public record Command(byte[] bytes, int literalOffset, SpooledBody literal) implements Input {
        public Command(byte[] bytes) {
            this(bytes, -1, null);
        }
    }

    /**
     * A line, or the command as a whole, exceeded the limits. The rest of the line was consumed,
     * but a client that goes beyond the limits cannot be trusted to be in step: close.
     */
    public record TooLong(String tag) implements Input {}

    /**
     * A literal larger than allowed. For a synchronizing one the client sends nothing more of the
     * command, so the session answers and goes on; for a non-synchronizing one the bytes are on
     * their way and the session must close the connection.
     */
    public record LiteralTooLarge(String tag, boolean synchronizing) implements Input {}

    /** The client closed the connection. */
    public record EndOfInput() implements Input {}

    /** Something that may fail with I/O: sending a continuation, flushing responses. */
    @FunctionalInterface
    public interface IoAction {
        void run() throws IOException;
    }

    private static final int BUFFER_SIZE = 4096;
    /**
     * What the buffer starts with: a connection that sends nothing, or short commands, never
     * needs more (a flood holds thousands of them, SEC-3); a read that fills it doubles it.
     */
    private static final int INITIAL_BUFFER_SIZE = 256;
    /**
     * The largest literal of any command but APPEND (IMAP-7, SEC-1): metadata values, search
     * strings and credentials are small; only APPEND carries a message.
     */
    public static final int MAX_OTHER_LITERAL = 64 * 1024;
    /** A literal's buffer grows by at most this much ahead of the bytes that arrived. */
    private static final int LITERAL_CHUNK = 64 * 1024;

    private InputStream in;
    private int maxLineLength;
    private final IoAction beforeBlockingRead;
    private byte[] buf = new byte[INITIAL_BUFFER_SIZE];
    private int pos;
    private int limit;

    /**
     * @param maxLineLength longest accepted line in octets, without its line end
     * @param beforeBlockingRead runs before each read that may block (flush responses)
     */
    public ImapReader(InputStream in, int maxLineLength, IoAction beforeBlockingRead) {
        this.in = Objects.requireNonNull(in);
        if (maxLineLength < 16) {
            throw new IllegalArgumentException("maxLineLength must be at least 16");
        }
        this.maxLineLength = maxLineLength;
        this.beforeBlockingRead = Objects.requireNonNull(beforeBlockingRead);
    }

    /** From now on lines may be this long (longer after login than before). */
    public void maxLineLength(int maxLineLength) {
        if (maxLineLength < 16) {
            throw new IllegalArgumentException("maxLineLength must be at least 16");
        }
        this.maxLineLength = maxLineLength;
    }

    /**
     * Reads one command, every literal inline (at most {@code maxLiteral} octets each).
     *
     * @param maxLiteral largest literal accepted, in octets; for commands other than APPEND
     *     at most {@link #MAX_OTHER_LITERAL}
     * @param continuation sends {@code + OK} (and flushes) before a synchronizing literal is read
     */
    public Input readCommand(long maxLiteral, IoAction continuation) throws IOException {
        return readCommand(maxLiteral, continuation, null);
    }

    /**
     * Reads one command. With a spool, the message literal of an APPEND that is larger than the
     * longest line goes there; every other literal is inline and at most that long.
     *
     * @param maxLiteral largest literal accepted, in octets; for commands other than APPEND
     *     at most {@link #MAX_OTHER_LITERAL}
     * @param continuation sends {@code + OK} (and flushes) before a synchronizing literal is read
     * @param spool where an APPEND message goes, or null for every literal inline
     */
    public Input readCommand(long maxLiteral, IoAction continuation, BodySpool spool) throws IOException {
        Growable command = new Growable();
        String tag = null;
        boolean append = false;
        long maxInline = spool == null ? maxLiteral : Math.min(maxLiteral, maxLineLength);
        long maxTotal = maxInline + 2L * maxLineLength;
        SpooledBody spooled = null;
        int spooledAt = -1;
        boolean handedOver = false;
        try {
            while (true) {
                int start = command.length;
                LineEnd end = readLineInto(command);
                if (end == LineEnd.EOF) {
                    return new EndOfInput();
                }
                if (tag == null) {
                    tag = tagOf(command.bytes, command.length);
                    append = isAppend(command.bytes, command.length);
                }
                if (end == LineEnd.TOO_LONG || command.length > maxTotal) {
                    return new TooLong(tag);
                }
                Literal literal = literalAtEnd(command.bytes, start, command.length);
                if (literal == null) {
                    handedOver = true;
                    return new Command(command.toArray(), spooledAt, spooled);
                }
                // Only APPEND carries a message; metadata values, search strings and credentials are small.
                long allowed = append ? maxLiteral : Math.min(maxLiteral, MAX_OTHER_LITERAL);
                if (literal.size < 0 || literal.size > allowed) {
                    return new LiteralTooLarge(tag, literal.synchronizing);
                }
                boolean toSpool = spool != null && append && spooled == null && literal.size > maxInline;
                if (!toSpool && (literal.size > maxInline || command.length + literal.size > maxTotal)) {
                    return new LiteralTooLarge(tag, literal.synchronizing);
                }
                command.append((byte) '\r');
                command.append((byte) '\n');
                if (literal.synchronizing) {
                    continuation.run();
                }
                if (toSpool) {
                    spooledAt = command.length;
                    spooled = readIntoSpool(spool, literal.size);
                    if (spooled == null) {
                        return new EndOfInput();
                    }
                } else if (!readExactly(command, (int) literal.size)) {
                    return new EndOfInput();
                }
            }
        } finally {
            if (!handedOver && spooled != null) {
                spooled.close();
            }
        }
    }

    /** True when the command on the line is APPEND (after its tag). */
    static boolean isAppend(byte[] b, int length) {
        int i = 0;
        while (i < length && b[i] != ' ') {
            i++;
        }
        byte[] name = {'A', 'P', 'P', 'E', 'N', 'D'};
        if (length - (i + 1) < name.length + 1) {
            return false;
        }
        for (int k = 0; k < name.length; k++) {
            if ((b[i + 1 + k] & 0xdf) != name[k]) {
                return false;
            }
        }
        return b[i + 1 + name.length] == ' ';
    }

    /**
     * Streams exactly {@code n} literal octets into a new spool body, counting them; the reader's
     * buffer carries them, nothing is sized from {@code n}. Null when the input ends first.
     */
    private SpooledBody readIntoSpool(BodySpool spool, long n) throws IOException {
        SpoolWriter writer = spool.newWriter(n);
        try {
            long remaining = n;
            int buffered = (int) Math.min(remaining, limit - pos);
            writer.write(buf, pos, buffered);
            pos += buffered;
            remaining -= buffered;
            if (remaining > 0) {
                beforeBlockingRead.run();
                // Everything buffered is taken: the buffer is free to carry the rest.
                pos = 0;
                limit = 0;
                if (buf.length < BUFFER_SIZE) {
                    buf = new byte[BUFFER_SIZE];
                }
            }
            while (remaining > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                if (r < 0) {
                    writer.close();
                    return null;
                }
                writer.write(buf, 0, r);
                remaining -= r;
            }
            return writer.finish();
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    /** Reads one plain line (IDLE's DONE, a SASL response) without literal handling. */
    public Input readLine() throws IOException {
        Growable line = new Growable();
        LineEnd end = readLineInto(line);
        return switch (end) {
            case EOF -> new EndOfInput();
            case TOO_LONG -> new TooLong(null);
            case LINE -> new Command(line.toArray());
        };
    }

    /** True when unread client bytes are buffered: the client pipelined more. */
    public boolean hasBufferedInput() {
        return pos < limit;
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

    /** Takes the buffered, unread bytes (the start of a compressed stream after COMPRESS). */
    public byte[] takeBuffered() {
        byte[] rest = Arrays.copyOfRange(buf, pos, limit);
        pos = 0;
        limit = 0;
        return rest;
    }

    /** Continues on another stream; whatever was buffered must have been taken or discarded. */
    public void switchTo(InputStream newIn) {
        if (pos < limit) {
            throw new IllegalStateException("buffered input left behind");
        }
        this.in = Objects.requireNonNull(newIn);
    }

    private enum LineEnd { LINE, TOO_LONG, EOF }

    /** Appends the line's content (without CR LF) to {@code out}. */
    private LineEnd readLineInto(Growable out) throws IOException {
        int taken = 0;
        boolean tooLong = false;
        while (true) {
            if (pos == limit && !fill()) {
                return LineEnd.EOF;
            }
            int i = pos;
            while (i < limit && buf[i] != '\n') {
                i++;
            }
            int n = i - pos;
            if (!tooLong) {
                // +1: a final CR is not yet known to be one. Past the limit only the start is
                // kept, however the line arrived, so its tag can still be answered.
                int room = maxLineLength + 1 - taken;
                out.append(buf, pos, Math.min(n, room));
                taken += Math.min(n, room);
                tooLong = n > room;
            }
            if (i < limit) {
                pos = i + 1;
                if (tooLong) {
                    return LineEnd.TOO_LONG;
                }
                if (taken > 0 && out.bytes[out.length - 1] == '\r') {
                    out.length--;
                    taken--;
                }
                return taken > maxLineLength ? LineEnd.TOO_LONG : LineEnd.LINE;
            }
            pos = limit;
        }
    }

    /** Reads n bytes; the buffer grows as they arrive, never sized from the client's announcement. */
    private boolean readExactly(Growable out, int n) throws IOException {
        int remaining = n;
        int buffered = Math.min(remaining, limit - pos);
        out.append(buf, pos, buffered);
        pos += buffered;
        remaining -= buffered;
        if (remaining > 0) {
            beforeBlockingRead.run();
        }
        while (remaining > 0) {
            out.ensure(Math.min(remaining, LITERAL_CHUNK));
            int r = in.read(out.bytes, out.length, Math.min(remaining, out.bytes.length - out.length));
            if (r < 0) {
                return false;
            }
            out.length += r;
            remaining -= r;
        }
        return true;
    }

    private boolean fill() throws IOException {
        beforeBlockingRead.run();
        pos = 0;
        limit = 0;
        while (true) {
            int r = in.read(buf, 0, buf.length);
            if (r < 0) {
                return false;
            }
            if (r > 0) {
                limit = r;
                if (r == buf.length && buf.length < BUFFER_SIZE) {
                    // The client sends more than the buffer takes; the next read gets a larger one.
                    byte[] larger = new byte[Math.min(BUFFER_SIZE, buf.length * 2)];
                    System.arraycopy(buf, 0, larger, 0, r);
                    buf = larger;
                }
                return true;
            }
        }
    }

    record Literal(long size, boolean synchronizing) {}

    /** The literal announced at the end of the line {@code [start, end)}, or null. */
    static Literal literalAtEnd(byte[] b, int start, int end) {
        if (end - start < 3 || b[end - 1] != '}') {
            return null;
        }
        int i = end - 2;
        boolean synchronizing = true;
        if (b[i] == '+') {
            synchronizing = false;
            i--;
        }
        int digitsEnd = i + 1;
        while (i >= start && b[i] >= '0' && b[i] <= '9') {
            i--;
        }
        if (i < start || b[i] != '{' || i + 1 == digitsEnd) {
            return null;
        }
        if (digitsEnd - (i + 1) > 18) {
            return new Literal(-1, synchronizing);
        }
        long size = Long.parseLong(new String(b, i + 1, digitsEnd - (i + 1), StandardCharsets.US_ASCII));
        return new Literal(size, synchronizing);
    }

    /** The tag of a command line, for answering errors, or null when there is no valid one. */
    static String tagOf(byte[] b, int length) {
        int i = 0;
        while (i < length && i < 64 && Wire.isAstringChar(b[i] & 0xff) && b[i] != '+') {
            i++;
        }
        if (i == 0 || i >= length || b[i] != ' ') {
            return null;
        }
        return new String(b, 0, i, StandardCharsets.US_ASCII);
    }

    /** A byte array that grows as a command is assembled. */
    private static final class Growable {
        byte[] bytes = new byte[128];
        int length;

        void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(length + more, bytes.length * 2));
            }
        }

        void append(byte b) {
            ensure(1);
            bytes[length++] = b;
        }

        void append(byte[] src, int from, int n) {
            ensure(n);
            System.arraycopy(src, from, bytes, length, n);
            length += n;
        }

        /** The bytes; no copy when the array is full (a large literal was sized exactly). */
        byte[] toArray() {
            return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
        }
    }
}
