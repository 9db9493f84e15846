package chatmail.imap;

import chatmail.imap.protocol.ImapResponseWriter;
import chatmail.imap.protocol.Section;
import chatmail.mime.HeaderSection;
import chatmail.mime.ParseLimitException;
import chatmail.mime.ParseLimits;
import chatmail.store.StoredContent;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * One stored message while FETCH answers for it (SEC-1): the whole message, its header section
 * and its body text are streamed from the store's {@link StoredContent} in bounded pieces, and
 * only the header section (at most 1 MiB by SEC-4) is read into memory for the items that parse
 * it (ENVELOPE, HEADER.FIELDS, the header's length for TEXT). BODYSTRUCTURE and sections of a
 * part still need the MIME structure, which {@link MimePart} finds in the bytes of the whole
 * message; only those read it whole.
 */
final class FetchedMessage {
    private final StoredContent content;
    private HeaderSection header;
    private byte[] whole;

    FetchedMessage(StoredContent content) {
        this.content = content;
    }

    /** The structure of the whole message (reads it whole). */
    MimePart structure() throws IOException {
        return MimePart.parse(whole());
    }

    /** The structure of the header section alone: enough for ENVELOPE. */
    MimePart headerStructure() throws IOException {
        HeaderSection h = header();
        return MimePart.parse(Arrays.copyOfRange(h.data(), h.start(), h.bodyStart()));
    }

    /** Writes a body section as a literal, of {@code [origin, origin + count)} of it when partial. */
    void writeSection(ImapResponseWriter out, Section section, boolean partial, long origin, long count)
            throws IOException {
        long start;
        long end;
        byte[] bytes = null;
        if (!section.part().isEmpty()) {
            bytes = SectionReader.read(whole(), section);
            start = 0;
            end = bytes.length;
        } else {
            switch (section.kind()) {
                case ALL -> {
                    start = 0;
                    end = content.size();
                }
                case HEADER -> {
                    start = 0;
                    end = header().length();
                }
                case TEXT -> {
                    start = header().length();
                    end = content.size();
                }
                default -> {
                    HeaderSection h = header();
                    bytes = SectionReader.read(Arrays.copyOfRange(h.data(), h.start(), h.bodyStart()), section);
                    start = 0;
                    end = bytes.length;
                }
            }
        }
        long from = 0;
        long length = end - start;
        if (partial) {
            from = Math.min(origin, length);
            length = Math.min(count, length - from);
        }
        if (bytes != null) {
            out.literal(bytes, (int) from, (int) length);
            return;
        }
        try (InputStream in = content.range(start + from, length)) {
            out.literal(in, length);
        }
    }

    /** The header section, read from the start of the message within SEC-4's cap. */
    private HeaderSection header() throws IOException {
        if (header == null) {
            if (whole != null) {
                header = HeaderSection.parse(whole);
            } else {
                try (InputStream in = content.range(0, content.size())) {
                    header = HeaderSection.read(in, ParseLimits.STANDARD);
                } catch (ParseLimitException tooLarge) {
                    // Only an imported message can have a header beyond the cap: read it whole.
                    header = HeaderSection.parse(whole());
                }
            }
        }
        return header;
    }

    private byte[] whole() throws IOException {
        if (whole == null) {
            if (content.size() > Integer.MAX_VALUE - 16) {
                throw new IOException("message too large to parse");
            }
            whole = content.read(0, (int) content.size());
            if (whole.length != content.size()) {
                throw new IOException("message shorter than its size");
            }
        }
        return whole;
    }
}
