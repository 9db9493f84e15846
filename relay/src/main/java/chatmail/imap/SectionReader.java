package chatmail.imap;

import chatmail.imap.protocol.Section;
import chatmail.mime.HeaderSection;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

/** The bytes of a FETCH body section (RFC 3501 6.4.5) from a message's raw content. */
final class SectionReader {
    private static final byte[] CRLF = {'\r', '\n'};

    private SectionReader() {}

    static byte[] read(byte[] content, Section section) {
        if (section.part().isEmpty()) {
            return ofMessage(content, 0, content.length, section);
        }
        MimePart part = MimePart.parse(content).resolve(section.part());
        if (part == null) {
            return new byte[0];
        }
        return switch (section.kind()) {
            case ALL -> Arrays.copyOfRange(content, part.bodyStart, part.end);
            case MIME -> Arrays.copyOfRange(content, part.start, part.bodyStart);
            // HEADER, TEXT and HEADER.FIELDS of a part only exist for a message/rfc822 part.
            default -> part.message == null ? new byte[0]
                    : ofMessage(content, part.message.start, part.message.end, section);
        };
    }

    private static byte[] ofMessage(byte[] content, int start, int end, Section section) {
        HeaderSection header = HeaderSection.parse(content, start, end);
        int headerEnd = header.bodyStart();
        return switch (section.kind()) {
            case ALL -> start == 0 && end == content.length ? content : Arrays.copyOfRange(content, start, end);
            case HEADER -> Arrays.copyOfRange(content, start, headerEnd);
            case TEXT -> Arrays.copyOfRange(content, headerEnd, end);
            case HEADER_FIELDS -> select(header, section.fields(), false);
            case HEADER_FIELDS_NOT -> select(header, section.fields(), true);
            case MIME -> new byte[0];
        };
    }

    /**
     * The fields named (or, with {@code exclude}, not named) in {@code names}, as they are, with
     * the empty line that ends a header section: BODY[HEADER.FIELDS (...)].
     */
    private static byte[] select(HeaderSection header, List<String> names, boolean exclude) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] data = header.data();
        for (HeaderSection.Field f : header.fields()) {
            if (f.name() == null) {
                continue;
            }
            boolean named = names.stream().anyMatch(f::is);
            if (named != exclude) {
                out.write(data, f.start(), f.end() - f.start());
                if (f.end() == f.start() || data[f.end() - 1] != '\n') {
                    out.writeBytes(CRLF);
                }
            }
        }
        out.writeBytes(CRLF);
        return out.toByteArray();
    }
}
