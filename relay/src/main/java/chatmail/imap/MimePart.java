package chatmail.imap;

import chatmail.mime.ContentType;
import chatmail.mime.HeaderSection;
import chatmail.mime.MimeWalker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A message or body part located in the raw bytes of a message: where its header and body are,
 * its content type, and its parts (multipart) or the message it carries (message/rfc822).
 * Enough for FETCH body sections by part number and BODYSTRUCTURE; nothing is decoded or
 * copied. The structure comes from the relay's one MIME parser ({@link MimeWalker}); nesting
 * deeper than {@link #MAX_DEPTH} is treated as an opaque leaf.
 */
final class MimePart {
    static final int MAX_DEPTH = 20;

    final byte[] data;
    final int start;
    final int bodyStart;
    final int end;
    /** Lower-cased, for decisions. */
    final String type;
    final String subtype;
    /** As written in the message, for BODYSTRUCTURE (as Dovecot answers). */
    final String writtenType;
    final String writtenSubtype;
    /** Parameter names as written, in order. */
    final Map<String, String> parameters;
    final List<MimePart> children;
    /** The carried message of a message/rfc822 part, else null. */
    final MimePart message;
    private final HeaderSection header;

    private MimePart(byte[] data, int start, int bodyStart, int end, HeaderSection header, String writtenType,
                     String writtenSubtype, Map<String, String> parameters, List<MimePart> children, MimePart message) {
        this.data = data;
        this.start = start;
        this.bodyStart = bodyStart;
        this.end = end;
        this.header = header;
        this.writtenType = writtenType;
        this.writtenSubtype = writtenSubtype;
        this.type = writtenType.toLowerCase(Locale.ROOT);
        this.subtype = writtenSubtype.toLowerCase(Locale.ROOT);
        this.parameters = parameters;
        this.children = children;
        this.message = message;
    }

    static MimePart parse(byte[] data) {
        Builder builder = new Builder(data);
        try {
            MimeWalker.walkLeniently(new ByteArrayInputStream(data), MAX_DEPTH, builder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return builder.root;
    }

    /** Turns the walk's events into the tree of parts. */
    private static final class Builder implements MimeWalker.Visitor {
        private final byte[] data;
        private final Deque<Open> open = new ArrayDeque<>();
        MimePart root;

        private static final class Open {
            final int start;
            final long bodyStart;
            final HeaderSection header;
            final ContentType type;
            final Map<String, String> parameters;
            final List<MimePart> children = new ArrayList<>();
            MimePart message;

            Open(int start, long bodyStart, HeaderSection header, ContentType type, Map<String, String> parameters) {
                this.start = start;
                this.bodyStart = bodyStart;
                this.header = header;
                this.type = type;
                this.parameters = parameters;
            }
        }

        Builder(byte[] data) {
            this.data = data;
        }

        @Override
        public void entityStart(int depth, HeaderSection header, ContentType type, long offset, long bodyOffset) {
            Map<String, String> parameters = new LinkedHashMap<>(type.parameters());
            boolean declared = ContentType.parse(header.first("Content-Type")) != null;
            boolean digestChild = !declared && type.is("message/rfc822");
            if (header.first("Content-Type") == null && !digestChild) {
                parameters.put("charset", "us-ascii");
            }
            open.push(new Open((int) offset, bodyOffset, header, type, parameters));
        }

        @Override
        public void leafBody(int depth, HeaderSection header, ContentType type, InputStream raw) {
            // offsets are all a part needs; the walk skips the bytes
        }

        @Override
        public void entityEnd(int depth, long endOffset) {
            Open o = open.pop();
            int end = (int) Math.max(o.start, endOffset);
            int bodyStart = (int) Math.min(o.bodyStart, end);
            MimePart part = new MimePart(data, o.start, bodyStart, end, o.header, o.type.type(), o.type.subtype(),
                    o.parameters, List.copyOf(o.children), o.message);
            Open parent = open.peek();
            if (parent == null) {
                root = part;
            } else if (parent.type.is("message/rfc822")) {
                parent.message = part;
            } else {
                parent.children.add(part);
            }
        }
    }

    /** A parameter by name, ignoring case. */
    static String parameter(Map<String, String> parameters, String name) {
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    boolean isMultipart() {
        return type.equals("multipart") && !children.isEmpty();
    }

    /** The value of a header field of this part (unfolded, trimmed), or null. */
    String header(String name) {
        return header.first(name);
    }

    /** Body octets. */
    int bodySize() {
        return end - bodyStart;
    }

    /** Lines of the body, as IMAP counts them for text parts. */
    int bodyLines() {
        int lines = 0;
        for (int i = bodyStart; i < end; i++) {
            if (data[i] == '\n') {
                lines++;
            }
        }
        if (end > bodyStart && data[end - 1] != '\n') {
            lines++;
        }
        return lines;
    }

    /**
     * The part a FETCH part path names (RFC 3501 6.4.5), or null. In a non-multipart message
     * part 1 is the message's body; numbers after a message/rfc822 part count in the message it
     * carries.
     */
    MimePart resolve(List<Integer> path) {
        MimePart container = this;
        MimePart part = this;
        for (int n : path) {
            if (container == null) {
                return null;
            }
            if (container.isMultipart()) {
                if (n > container.children.size()) {
                    return null;
                }
                part = container.children.get(n - 1);
            } else if (n == 1) {
                part = container;
            } else {
                return null;
            }
            container = part.message != null ? part.message : part;
        }
        return part;
    }
}
