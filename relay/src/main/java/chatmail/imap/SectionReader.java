package chatmail.imap;

import chatmail.imap.protocol.Section;
import java.util.Arrays;

/** The bytes of a FETCH body section (RFC 3501 6.4.5) from a message's raw content. */
final class SectionReader {
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
        int headerEnd = Headers.headerEnd(content, start, end);
        return switch (section.kind()) {
            case ALL -> start == 0 && end == content.length ? content : Arrays.copyOfRange(content, start, end);
            case HEADER -> Arrays.copyOfRange(content, start, headerEnd);
            case TEXT -> Arrays.copyOfRange(content, headerEnd, end);
            case HEADER_FIELDS -> Headers.select(content, start, headerEnd, section.fields(), false);
            case HEADER_FIELDS_NOT -> Headers.select(content, start, headerEnd, section.fields(), true);
            case MIME -> new byte[0];
        };
    }
}
