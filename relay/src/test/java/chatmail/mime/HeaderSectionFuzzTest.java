package chatmail.mime;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Fuzzes the relay's one header parser ({@link HeaderSection}). Properties: parsing never
 * throws; the fields tile the section exactly (contiguous, in order, inside the data) and the
 * body starts after it; values hold no line break; reading the same bytes from a stream that
 * returns at most 7 bytes per read gives the same fields, or refuses with the limit broken, and
 * holds no more than the byte limit (the memory limit); the field count respects its limit.
 * Seeds: {@code src/test/resources/chatmail/mime/HeaderSectionFuzzTestInputs/parse}.
 */
class HeaderSectionFuzzTest {

    static final ParseLimits SMALL = new ParseLimits(64, 4096, 8);

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "mime.dict")
    void parse(byte[] message) throws IOException {
        HeaderSection whole = HeaderSection.parse(message);
        int pos = whole.start();
        for (HeaderSection.Field f : whole.fields()) {
            assertThat(f.start()).isEqualTo(pos);
            assertThat(f.end()).isGreaterThan(f.start());
            pos = f.end();
            assertThat(whole.value(f)).doesNotContain("\r", "\n");
            if (f.name() != null) {
                assertThat(f.name()).matches("[\\x21-\\x39\\x3b-\\x7e]+");
            }
        }
        assertThat(pos).isEqualTo(whole.end());
        assertThat(whole.end()).isLessThanOrEqualTo(whole.bodyStart());
        assertThat(whole.bodyStart()).isLessThanOrEqualTo(message.length);

        HeaderSection read;
        try {
            read = HeaderSection.read(new Trickle(new ByteArrayInputStream(message)), SMALL);
        } catch (ParseLimitException e) {
            boolean tooMany = whole.fields().size() > SMALL.maxHeaderFields();
            boolean tooLong = whole.end() - whole.start() > SMALL.maxHeaderBytes();
            assertThat(tooMany || tooLong).as("refused for " + e.limit()).isTrue();
            return;
        }
        assertThat(read.data().length).as("held bytes").isLessThanOrEqualTo(SMALL.maxHeaderBytes() + 2);
        assertThat(read.fields()).hasSameSizeAs(whole.fields()).hasSizeLessThanOrEqualTo(SMALL.maxHeaderFields());
        assertThat(names(read)).isEqualTo(names(whole));
        assertThat(read.length()).isEqualTo(whole.length());
        for (int i = 0; i < whole.fields().size(); i++) {
            assertThat(read.value(read.fields().get(i))).isEqualTo(whole.value(whole.fields().get(i)));
        }
    }

    private static List<String> names(HeaderSection h) {
        return h.fields().stream().map(f -> String.valueOf(f.name())).toList();
    }

    /** Returns at most 7 bytes per read, to cross every buffer edge. */
    static final class Trickle extends FilterInputStream {
        Trickle(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 7));
        }
    }
}
