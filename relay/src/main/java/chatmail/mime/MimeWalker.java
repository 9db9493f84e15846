package chatmail.mime;

import chatmail.util.SingleByteRead;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Walks the MIME structure of a message in one streaming pass (RFC 2045, 2046): every entity's
 * header, the parts of each multipart between its boundary lines, the message a message/rfc822
 * part carries, and each leaf body as a stream. Memory is one line buffer, the header section
 * being read and the boundary stack; the work is linear in the message size (each line is
 * compared with at most {@code maxDepth} boundaries). This is the relay's one MIME parser: the
 * encryption classifier, the SEC-4 caps and IMAP's BODYSTRUCTURE and part sections use it.
 *
 * <p>A boundary line is {@code --boundary}, optionally {@code --}, then only spaces or tabs; it
 * ends the part it is in and, when it belongs to an enclosing multipart, every part in between
 * (RFC 2046 5.1.2). The line ending before it belongs to it. A multipart type without a boundary
 * parameter is a leaf.
 */
public final class MimeWalker {

    /** What to do with an entity nested deeper than {@link ParseLimits#maxDepth()}. */
    public enum TooDeep {
        /** Refuse the message: {@link ParseLimitException} (mail being accepted). */
        REFUSE,
        /** Treat the entity at the deepest level as a leaf (stored mail shown over IMAP). */
        OPAQUE
    }

    /** Receives the structure as it is read. Offsets count bytes from the start of the message. */
    public interface Visitor {
        /** An entity begins: the message at depth 0, then each part and carried message. */
        default void entityStart(int depth, HeaderSection header, ContentType type, long offset, long bodyOffset)
                throws IOException {
        }

        /**
         * The body of a leaf entity, still transfer-encoded. It is valid during the call only;
         * what the visitor does not read is skipped.
         */
        default void leafBody(int depth, HeaderSection header, ContentType type, InputStream raw) throws IOException {
        }

        /** A multipart's parts are over; {@code closed} when its close delimiter came. */
        default void multipartEnd(int depth, int parts, boolean closed) {
        }

        /** An entity ends at {@code endOffset} (before the line ending that precedes a boundary line). */
        default void entityEnd(int depth, long endOffset) {
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LF = {'\n'};

    private final LineInput in;
    private final ParseLimits limits;
    private final boolean enforceHeaderLimits;
    private final TooDeep tooDeep;
    private final Visitor visitor;
    /** Dash-boundaries ({@code --} + boundary) of the enclosing multiparts, outermost first. */
    private final List<byte[]> boundaries = new ArrayList<>();

    private MimeWalker(InputStream message, ParseLimits limits, boolean enforceHeaderLimits, TooDeep tooDeep,
            Visitor visitor) {
        this.in = new LineInput(message);
        this.limits = limits;
        this.enforceHeaderLimits = enforceHeaderLimits;
        this.tooDeep = tooDeep;
        this.visitor = visitor;
    }

    /**
     * Walks a message that is being accepted: every cap of {@code limits} holds, or the walk
     * stops with {@link ParseLimitException}.
     *
     * @return the message's own header section
     */
    public static HeaderSection walk(InputStream message, ParseLimits limits, Visitor visitor)
            throws IOException, ParseLimitException {
        return new MimeWalker(message, limits, true, TooDeep.REFUSE, visitor).run();
    }

    /**
     * Walks a stored message for display: no header caps, and entities deeper than
     * {@code maxDepth} are leaves. Never refuses.
     */
    public static HeaderSection walkLeniently(InputStream message, int maxDepth, Visitor visitor) throws IOException {
        try {
            return new MimeWalker(message, new ParseLimits(Integer.MAX_VALUE, Integer.MAX_VALUE - 16, maxDepth), false,
                    TooDeep.OPAQUE, visitor).run();
        } catch (ParseLimitException impossible) {
            throw new AssertionError(impossible);
        }
    }

    private HeaderSection run() throws IOException, ParseLimitException {
        HeaderSection[] top = new HeaderSection[1];
        entity(0, ContentType.TEXT_PLAIN, 0, top);
        return top[0];
    }

    /** Reads one entity; returns the delimiter code that ended it (its line held in {@code in}), or -1 at the end. */
    private int entity(int depth, ContentType defaultType, long offset, HeaderSection[] topOut)
            throws IOException, ParseLimitException {
        HeaderSection header = HeaderSection.read(in, enforceHeaderLimits ? limits : null,
                line -> delimiter(line) >= 0);
        if (topOut != null) {
            topOut[0] = header;
        }
        ContentType type = header.contentType(defaultType);
        long bodyOffset = offset + header.length();
        visitor.entityStart(depth, header, type, offset, bodyOffset);
        boolean deeperAllowed = depth < limits.maxDepth() || tooDeep == TooDeep.REFUSE;
        String boundary = type.boundary();
        int ending;
        if (boundary != null && deeperAllowed) {
            ending = multipart(depth, type, boundary);
        } else if (type.is("message/rfc822") && deeperAllowed) {
            checkDepth(depth + 1);
            ending = entity(depth + 1, ContentType.TEXT_PLAIN, bodyOffset, null);
        } else {
            BodyStream body = new BodyStream();
            visitor.leafBody(depth, header, type, body);
            ending = body.finish();
        }
        long end = ending >= 0 ? Math.max(offset, in.previousContentEnd()) : in.endOffset();
        visitor.entityEnd(depth, end);
        return ending;
    }

    private void checkDepth(int depth) throws ParseLimitException {
        if (depth > limits.maxDepth()) {
            throw new ParseLimitException(ParseLimitException.Limit.MIME_DEPTH);
        }
    }

    private int multipart(int depth, ContentType type, String boundary) throws IOException, ParseLimitException {
        boundaries.add(("--" + boundary).getBytes(StandardCharsets.ISO_8859_1));
        int mine = boundaries.size() - 1;
        ContentType childDefault = type.is("multipart/digest") ? ContentType.MESSAGE_RFC822 : ContentType.TEXT_PLAIN;
        int parts = 0;
        boolean closed = false;
        int ending = skipToDelimiter();
        while (ending == open(mine)) {
            in.next(); // the delimiter line
            checkDepth(depth + 1);
            parts++;
            ending = entity(depth + 1, childDefault, in.endOffset(), null);
        }
        boundaries.remove(mine);
        if (ending == close(mine)) {
            in.next();
            closed = true;
            ending = skipToDelimiter(); // the epilogue
        }
        visitor.multipartEnd(depth, parts, closed);
        return ending;
    }

    /** Skips lines up to a delimiter line (held) and returns its code, or -1 at the end. */
    private int skipToDelimiter() throws IOException {
        while (in.next()) {
            int d = delimiter(in);
            if (d >= 0) {
                in.hold();
                return d;
            }
        }
        return -1;
    }

    private static int open(int index) {
        return index * 2;
    }

    private static int close(int index) {
        return index * 2 + 1;
    }

    /**
     * The code of the delimiter the current segment is ({@code 2 * index + (close ? 1 : 0)}, the
     * innermost boundary that matches), or -1 when it is no delimiter line.
     */
    private int delimiter(LineInput line) {
        if (!line.wholeLine() || boundaries.isEmpty()) {
            return -1;
        }
        byte[] b = line.buffer();
        int s = line.start();
        int e = line.contentEnd();
        if (e - s < 2 || b[s] != '-' || b[s + 1] != '-') {
            return -1;
        }
        for (int k = boundaries.size() - 1; k >= 0; k--) {
            byte[] d = boundaries.get(k);
            if (e - s < d.length || !Arrays.equals(b, s, s + d.length, d, 0, d.length)) {
                continue;
            }
            int i = s + d.length;
            boolean isClose = i + 2 <= e && b[i] == '-' && b[i + 1] == '-';
            if (isClose) {
                i += 2;
            }
            while (i < e && (b[i] == ' ' || b[i] == '\t')) {
                i++;
            }
            if (i == e) {
                return isClose ? close(k) : open(k);
            }
        }
        return -1;
    }

    /**
     * A leaf body up to the next delimiter line or the end of the input. The line ending before
     * a delimiter line belongs to the delimiter, so each line ending is held back until the next
     * line is known not to be one.
     */
    private final class BodyStream extends InputStream {
        private int pos;
        private int limit;
        /** The line ending of the last line handed out, until the next line shows it is content. */
        private byte[] heldEol;
        /** A released line ending being handed out. */
        private byte[] eolOut;
        private int eolPos;
        private boolean ended;
        private int ending = -1;

        @Override
        public int read() throws IOException {
            return SingleByteRead.through(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                if (eolOut != null) {
                    int n = Math.min(len, eolOut.length - eolPos);
                    System.arraycopy(eolOut, eolPos, b, off, n);
                    eolPos += n;
                    if (eolPos == eolOut.length) {
                        eolOut = null;
                    }
                    return n;
                }
                if (pos < limit) {
                    int n = Math.min(len, limit - pos);
                    System.arraycopy(in.buffer(), pos, b, off, n);
                    pos += n;
                    return n;
                }
                if (ended) {
                    return -1;
                }
                advance();
            }
        }

        /** Makes the next segment current, or ends the body before a delimiter line or at the end. */
        private void advance() throws IOException {
            if (!in.next()) {
                ended = true;
                release(); // the last line ending of the input is content
                return;
            }
            int d = delimiter(in);
            if (d >= 0) {
                in.hold();
                ended = true;
                ending = d;
                heldEol = null;
                return;
            }
            release();
            pos = in.start();
            limit = in.contentEnd();
            int eol = in.end() - in.contentEnd();
            heldEol = eol == 2 ? CRLF : eol == 1 ? LF : null;
        }

        private void release() {
            if (heldEol != null) {
                eolOut = heldEol;
                eolPos = 0;
                heldEol = null;
            }
        }

        /** Skips what is left and returns the delimiter code that ended the body, or -1. */
        int finish() throws IOException {
            eolOut = null;
            pos = limit;
            while (!ended) {
                advance();
                eolOut = null;
                pos = limit;
            }
            return ending;
        }
    }
}
