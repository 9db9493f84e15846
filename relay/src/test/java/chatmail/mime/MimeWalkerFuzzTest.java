package chatmail.mime;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the relay's one MIME walker. Properties: a walk within limits either completes or
 * refuses with {@link ParseLimitException}, nothing else; the events do not depend on how the
 * bytes arrive (one read vs. at most 7 bytes per read); entities start and end in pairs, in
 * order, inside the message, no deeper than the limit; the leaf bodies together are never
 * longer than the message (the output limit); the lenient walk IMAP uses never refuses.
 * Seeds: {@code src/test/resources/chatmail/mime/MimeWalkerFuzzTestInputs/walk}.
 */
class MimeWalkerFuzzTest {

    static final ParseLimits SMALL = new ParseLimits(64, 4096, 8);

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "mime.dict")
    void walk(byte[] message) throws IOException {
        List<String> whole = events(new ByteArrayInputStream(message), message.length);
        List<String> trickled = events(new HeaderSectionFuzzTest.Trickle(new ByteArrayInputStream(message)), message.length);
        assertThat(trickled).isEqualTo(whole);

        Recorder lenient = new Recorder(message.length, 4);
        MimeWalker.walkLeniently(new ByteArrayInputStream(message), 4, lenient);
        lenient.finish();
    }

    private static List<String> events(InputStream in, long length) throws IOException {
        Recorder r = new Recorder(length, SMALL.maxDepth());
        try {
            MimeWalker.walk(in, SMALL, r);
        } catch (ParseLimitException e) {
            r.events.add("refused " + e.limit());
            return r.events;
        }
        r.finish();
        return r.events;
    }

    /** Records the walk and checks its shape as it goes. */
    static final class Recorder implements MimeWalker.Visitor {
        final List<String> events = new ArrayList<>();
        private final long length;
        private final int maxDepth;
        private final List<Long> open = new ArrayList<>();
        private long bodyBytes;

        Recorder(long length, int maxDepth) {
            this.length = length;
            this.maxDepth = maxDepth;
        }

        @Override
        public void entityStart(int depth, HeaderSection header, ContentType type, long offset, long bodyOffset) {
            assertThat(depth).isEqualTo(open.size()).isLessThanOrEqualTo(maxDepth);
            assertThat(offset).isBetween(0L, length);
            assertThat(bodyOffset).isBetween(offset, length);
            open.add(offset);
            events.add("start " + depth + " " + type.mimeType() + " " + offset + " " + bodyOffset + " " + header.fields().size());
        }

        @Override
        public void leafBody(int depth, HeaderSection header, ContentType type, InputStream raw) throws IOException {
            byte[] body = raw.readAllBytes();
            bodyBytes += body.length;
            assertThat(bodyBytes).as("leaf bodies together").isLessThanOrEqualTo(length);
            events.add("body " + depth + " " + java.util.Arrays.hashCode(body) + " " + body.length);
        }

        @Override
        public void multipartEnd(int depth, int parts, boolean closed) {
            events.add("multipart end " + depth + " " + parts + " " + closed);
        }

        @Override
        public void entityEnd(int depth, long endOffset) {
            assertThat(depth).isEqualTo(open.size() - 1);
            long start = open.removeLast();
            assertThat(endOffset).isBetween(start, length);
            events.add("end " + depth + " " + endOffset);
        }

        void finish() {
            assertThat(open).as("every entity ended").isEmpty();
        }
    }
}
